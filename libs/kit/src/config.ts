import { z } from 'zod';

/** Thrown when the environment does not satisfy a config schema; the message names each bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates environment variables against a zod object schema whose keys are the
 * variable names. Every problem is reported with the variable, what was expected
 * and what arrived (secrets are not echoed: keys containing SECRET, PASSWORD, KEY or TOKEN).
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    input[key] = value === '' ? undefined : value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(config)');
    const secret = /SECRET|PASSWORD|KEY|TOKEN/.test(name);
    const got = input[name];
    const arrived = got === undefined ? 'nothing (unset)' : secret ? '(hidden)' : JSON.stringify(got);
    return `${name}: ${issue.message}; got ${arrived}`;
  });
  throw new ConfigError(problems);
}

/** Loads config or prints the problems and exits the process with status 78 (EX_CONFIG). */
export function loadConfigOrExit<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/** Reusable zod pieces for environment values. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: (schemes: string[]) =>
    z
      .string()
      .refine(
        (v) => schemes.some((s) => v.startsWith(s)),
        `expected a URL starting with ${schemes.join(' or ')}`,
      ),
  bool: (fallback: boolean) =>
    z
      .enum(['1', '0', 'true', 'false', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === '1' || v === 'true' || v === 'yes'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  list: () =>
    z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
};
