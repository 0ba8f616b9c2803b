import { env, loadConfigOrExit } from '@mathnet/kit';
import { z } from 'zod';

/** Courses configuration: every key is an environment variable. */
export const coursesConfigSchema = z.object({
  /** HTTP port of the courses process (distributed mode). */
  PORT: env.port(8082),
  /** `postgres://…` or `pglite://<dir>` / `pglite://memory`. */
  DATABASE_URL: env
    .url(['postgres://', 'postgresql://', 'pglite://'])
    .default('postgres://postgres@127.0.0.1:5432/mathnet_courses'),
  /** `amqp://…` or `memory://`. */
  BUS_URL: env.url(['amqp://', 'amqps://', 'memory://']).default('amqp://guest:guest@127.0.0.1:5672'),
  /** Where registry publishes its JWKS (tokens are verified with it). */
  REGISTRY_URL: z.url().default('http://127.0.0.1:8081'),
  /** Individual routes: least and most total hours a year, and how many advanced-level subjects at least. */
  ROUTE_MIN_HOURS: z.coerce.number().int().min(0).default(0),
  ROUTE_MAX_HOURS: z.coerce.number().int().min(1).default(1200),
  ROUTE_MIN_ADVANCED_SUBJECTS: z.coerce.number().int().min(0).default(0),
  LOG_LEVEL: env.logLevel(),
});

export type CoursesConfig = z.infer<typeof coursesConfigSchema>;

/** Limits an individual route is validated against. */
export interface RoutePolicy {
  minHours: number;
  maxHours: number;
  minAdvancedSubjects: number;
}

export function routePolicyOf(
  config: Pick<CoursesConfig, 'ROUTE_MIN_HOURS' | 'ROUTE_MAX_HOURS' | 'ROUTE_MIN_ADVANCED_SUBJECTS'>,
): RoutePolicy {
  return {
    minHours: config.ROUTE_MIN_HOURS,
    maxHours: config.ROUTE_MAX_HOURS,
    minAdvancedSubjects: config.ROUTE_MIN_ADVANCED_SUBJECTS,
  };
}

export function readCoursesConfig(source: Record<string, string | undefined> = process.env): CoursesConfig {
  return loadConfigOrExit(coursesConfigSchema, source);
}
