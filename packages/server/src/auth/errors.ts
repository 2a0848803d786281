/** Errors the HTTP layer turns into `{ error: { code, message } }` with a status. Messages carry no PHI. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly extra: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, extra?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
export const unauthorized = (message = 'sign in first') => new HttpError(401, 'unauthenticated', message);
export const forbidden = (message = 'not allowed for your role') => new HttpError(403, 'forbidden', message);
export const notFound = (what = 'not found') => new HttpError(404, 'not_found', what);
export const conflict = (code: string, message: string, extra?: Record<string, unknown>) => new HttpError(409, code, message, extra);
