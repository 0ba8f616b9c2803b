import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@mathnet/kit';
import { generateSecretsKey } from '@mathnet/lms-bridge';

/**
 * The standalone mode's key for LMS connection secrets: MATHNET_SECRETS_KEY when
 * set, else a key generated once into `<data dir>/secrets.key` (mode 0600) —
 * back it up with the data, or connection secrets cannot be read after a restore.
 */
export function secretsKeyOf(dataDir: string, logger: Logger): string {
  const path = join(dataDir, 'secrets.key');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const key = generateSecretsKey();
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  logger.warn(
    { path },
    'generated a key for LMS connection secrets (set MATHNET_SECRETS_KEY to use your own; back this file up)',
  );
  return key;
}
