import { execFileSync } from 'node:child_process';
import type pg from 'pg';
import { processCpuMillis } from './process-cpu';

/** The PostgreSQL backends connected to the pool's database (by pid). */
async function backends(db: pg.Pool): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  return rows.map((r) => r.pid);
}

/** The broker's Erlang VM, when it runs on this machine (its CPU is the bus's cost). */
function brokerPids(): number[] {
  try {
    return execFileSync('pidof', ['beam.smp'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

const total = (pids: number[], before: Map<number, number>) =>
  pids.reduce(
    (sum, pid) => sum + ((processCpuMillis(pid) ?? before.get(pid) ?? 0) - (before.get(pid) ?? 0)),
    0,
  );

/**
 * CPU seconds spent during an interval by each service process, the PostgreSQL backends of
 * each service's database, the broker and this bench: on a machine with few cores the parts
 * that use most show where an import's time goes. A backend that connected during the interval
 * counts from its start; one that left before the end is lost (pools keep theirs open).
 */
export async function startCpuAccount(
  processes: Record<string, number>,
  databases: Record<string, pg.Pool>,
): Promise<() => Promise<Record<string, number>>> {
  const snapshot = (pids: number[]) => new Map(pids.map((pid) => [pid, processCpuMillis(pid) ?? 0]));
  const dbBefore = new Map<string, Map<number, number>>();
  for (const [name, db] of Object.entries(databases)) dbBefore.set(name, snapshot(await backends(db)));
  const procBefore = snapshot(Object.values(processes));
  const broker = brokerPids();
  const brokerBefore = snapshot(broker);
  const self = process.cpuUsage();
  return async () => {
    const spent: Record<string, number> = {};
    for (const [name, pid] of Object.entries(processes)) spent[name] = total([pid], procBefore);
    for (const [name, db] of Object.entries(databases)) {
      const before = dbBefore.get(name)!;
      const pids = [...new Set([...before.keys(), ...(await backends(db))])];
      spent[`postgres (${name})`] = total(pids, before);
    }
    if (broker.length) spent.rabbitmq = total(broker, brokerBefore);
    const used = process.cpuUsage(self);
    spent.bench = (used.user + used.system) / 1000;
    return spent;
  };
}
