/** Request bodies checked with zod; errors name the fields, never echo their values. */
import type { z } from 'zod';
import { HttpError } from '../auth/errors.ts';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const where = result.error.issues.map((i) => (i.path.length ? i.path.join('.') : 'body')).join(', ');
    throw new HttpError(400, 'bad_request', `invalid or missing: ${where}`);
  }
  return result.data;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function uuidParam(value: string | undefined, what = 'id'): string {
  if (!value || !UUID_RE.test(value)) throw new HttpError(404, 'not_found', `no such ${what}`);
  return value;
}
