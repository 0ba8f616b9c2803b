export { type LoadOptions, type LoadRun, loadRun, stopCurrentRun } from './load-run';
export { formatReport, summarise, type TargetSummary } from './overhead-report';
