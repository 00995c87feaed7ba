/**
 * Inbound validation: every mutation input is parsed with a zod schema before any upstream call.
 * A failure lists every problem with the input path it concerns, so nothing is lost and the
 * caller can fix all of them at once.
 */
import type { z } from 'zod';
import { GatewayError } from './errors.js';

export class InputError extends GatewayError {
  readonly problems: { field: string[]; message: string }[];

  constructor(problems: { field: string[]; message: string }[]) {
    super('BAD_USER_INPUT', problems.map((p) => `${p.field.join('.') || 'input'}: ${p.message}`).join('; '), {
      retryable: false,
      requestSent: false,
      field: problems[0]?.field,
    });
    this.problems = problems;
  }
}

/** Parses `value` with `schema`; throws an InputError naming each bad field under `root`. */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown, root: string[] = ['input']): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InputError(
    result.error.issues.map((issue) => ({
      field: [...root, ...issue.path.map(String)],
      message: issue.message,
    })),
  );
}
