export { readStandaloneConfig, type StandaloneConfig, standaloneConfigSchema } from './config';
export { DataDirLockedError, lockDataDir } from './data-dir-lock';
export { type StandaloneNetwork, startStandalone } from './start-standalone';
