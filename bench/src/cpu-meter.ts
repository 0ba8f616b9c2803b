import type pg from 'pg';
import { processCpuMillis } from './process-cpu';

/** CPU time (ms) spent between start and stop, by part; a part procfs could not tell is absent. */
export type CpuSpent = Partial<Record<'service' | 'postgres' | 'client', number>>;

async function backendPids(db: pg.Pool): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  return rows.map((r) => r.pid);
}

function sum(pids: number[], before?: Map<number, number>): number | undefined {
  let total = 0;
  let known = false;
  for (const pid of pids) {
    const now = processCpuMillis(pid);
    if (now === undefined) continue;
    known = true;
    total += now - (before?.get(pid) ?? 0);
  }
  return known ? total : undefined;
}

/**
 * Measures where the CPU goes during a run: the service process, the PostgreSQL
 * backends connected to its database (by pid, from `pg_stat_activity`; a backend that
 * connects during the run counts from its start, one that leaves is lost), and this
 * load-generating process itself. On a machine with few cores the sum per request
 * bounds the throughput: cores × 1000 / (ms per request).
 */
export async function startCpuMeter(servicePid: number, db: pg.Pool): Promise<() => Promise<CpuSpent>> {
  const serviceBefore = processCpuMillis(servicePid);
  const pidsBefore = await backendPids(db);
  const pgBefore = new Map(
    pidsBefore.flatMap((pid) => {
      const ms = processCpuMillis(pid);
      return ms === undefined ? [] : [[pid, ms] as const];
    }),
  );
  const clientBefore = process.cpuUsage();
  return async () => {
    const client = process.cpuUsage(clientBefore);
    const serviceAfter = processCpuMillis(servicePid);
    const pids = [...new Set([...pidsBefore, ...(await backendPids(db))])];
    const spent: CpuSpent = { client: (client.user + client.system) / 1000 };
    if (serviceBefore !== undefined && serviceAfter !== undefined)
      spent.service = serviceAfter - serviceBefore;
    const postgres = sum(pids, pgBefore);
    if (postgres !== undefined) spent.postgres = postgres;
    return spent;
  };
}

/**
 * What the CPU per request allows at most on this machine, as a sentence: all parts on
 * `cores` cores, and the service alone on its one Node thread. Undefined when a part is unknown.
 */
export function cpuCeiling(perRequest: CpuSpent, cores: number, unit: string): string | undefined {
  const { service, postgres, client } = perRequest;
  if (service === undefined || postgres === undefined || client === undefined) return undefined;
  if (![service, postgres, client].every(Number.isFinite)) return undefined;
  const total = service + postgres + client;
  return (
    `CPU per ${unit}: service ${service.toFixed(1)} + postgres ${postgres.toFixed(1)} + load generator ` +
    `${client.toFixed(1)} = ${total.toFixed(1)} ms, so at most ~${Math.floor((cores * 1000) / total)}/s ` +
    `on ${cores} idle cores; the service alone (one Node thread) at most ~${Math.floor(1000 / service)}/s`
  );
}
