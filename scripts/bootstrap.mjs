// Makes a fresh clone runnable: installs dependencies when node_modules is missing
// or older than package-lock.json. Uses only Node built-ins (it runs before any install).
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const lock = 'package-lock.json';
const stale =
  !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  process.stdout.write('mathnet: installing dependencies (npm ci)…\n');
  execSync(existsSync(lock) ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund', {
    stdio: 'inherit',
  });
}
// TypeScript runs through tsx: there is nothing to compile before start (see docs/adr/0001-typescript-without-a-build-step.md).
