import type { z } from 'zod';
import { type FieldIssue, InputError } from './errors';

/** Flattens zod issues to `{path, message}` pairs, messages saying what was expected. */
export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/**
 * Parses `value` with `schema` or throws an InputError (400) listing every issue.
 * `what` names the thing in the message: "body", "query", ...
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  const first = issues[0];
  const summary = first ? `${first.path || what}: ${first.message}` : 'invalid';
  throw new InputError(
    `The ${what} is invalid (${summary}${issues.length > 1 ? `, and ${issues.length - 1} more` : ''})`,
    issues,
  );
}
