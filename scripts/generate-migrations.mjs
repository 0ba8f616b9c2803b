// Generates a service's SQL migrations with drizzle-kit (run from the service's folder:
// `npm run db:generate -- --name <what>`), then makes `CREATE SCHEMA` re-runnable,
// because runMigrations creates the service's schema before drizzle's migrator runs.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

execFileSync('npx', ['drizzle-kit', 'generate', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const file of readdirSync('migrations').filter((f) => f.endsWith('.sql'))) {
  const path = join('migrations', file);
  const sql = readFileSync(path, 'utf8');
  const patched = sql.replace(/CREATE SCHEMA "([^"]+)";/g, 'CREATE SCHEMA IF NOT EXISTS "$1";');
  if (patched !== sql) writeFileSync(path, patched);
}
