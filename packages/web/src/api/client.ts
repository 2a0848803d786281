/**
 * The one place the workstation talks HTTP. Same origin, cookie session; every state-changing
 * request carries the CSRF token from /api/auth/me. Ids only in paths (never PHI).
 */
import type {
  AdminUser,
  AuditEvent,
  AuditVerify,
  BreakGlassActive,
  BreakGlassReport,
  DeliveryEvent,
  DeliverySummary,
  FieldValue,
  IdentifierKind,
  IdentityAnswer,
  LisSettings,
  Me,
  QuarantineItem,
  QueueItem,
  ReleaseAnswer,
  Requisition,
  ReviewAction,
  RequisitionSummary,
  ReviewAnswer,
  Role,
  SetupPasswordAnswer,
  SessionUser,
  SetupInfo,
  TemplateSummary,
  TemplateUploadAnswer,
} from './types.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: unknown;
  constructor(status: number, code: string, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

let csrfToken: string | null = null;
let unauthorizedListener: (() => void) | null = null;

export function setCsrf(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (401 on a request that needed one). */
export function onUnauthorized(listener: (() => void) | null): void {
  unauthorizedListener = listener;
}

type Method = 'GET' | 'POST' | 'PUT';

interface RequestOptions {
  body?: unknown;
  /** Loaded ahead of need (the next requisition): the server audits it as a prefetch, not a view. */
  prefetch?: boolean;
  /** A 401 here is an expected answer (sign-in steps, session probe), not a lost session. */
  quiet401?: boolean;
  signal?: AbortSignal;
}

async function send(method: Method, path: string, options: RequestOptions, raw?: BodyInit): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined = raw;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET' && csrfToken) headers['x-nexession-csrf'] = csrfToken;
  if (options.prefetch) headers[PREFETCH_HEADER] = '1';
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) init.body = body;
  if (options.signal) init.signal = options.signal;
  const res = await fetch(path, init);
  if (!res.ok) {
    let parsed: unknown = null;
    try {
      parsed = await res.json();
    } catch {
      parsed = null;
    }
    const err = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401 && !options.quiet401) unauthorizedListener?.();
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? res.statusText, parsed);
  }
  return res;
}

async function json<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, options);
  return (await res.json()) as T;
}

export const PREFETCH_HEADER = 'x-nexession-prefetch';

/** Images (page, crop) come only through the authenticated, audited endpoints, as blobs. */
export async function fetchBlob(path: string, options: { signal?: AbortSignal; prefetch?: boolean } = {}): Promise<Blob> {
  const res = await send('GET', path, options);
  return res.blob();
}

const seg = encodeURIComponent;

export const api = {
  // setup and sign-in
  setupInfo: (token: string) => json<SetupInfo>('GET', `/api/setup/${seg(token)}`, { quiet401: true }),
  setupPassword: (token: string, body: { username?: string; password: string }) =>
    json<SetupPasswordAnswer>('POST', `/api/setup/${seg(token)}/password`, { body, quiet401: true }),
  setupTotp: (token: string, code: string) =>
    json<{ ok: true }>('POST', `/api/setup/${seg(token)}/totp`, { body: { code }, quiet401: true }),
  login: (username: string, password: string) =>
    json<{ next: 'totp' }>('POST', '/api/auth/login', { body: { username, password }, quiet401: true }),
  totp: (code: string) => json<{ user: SessionUser }>('POST', '/api/auth/totp', { body: { code }, quiet401: true }),
  logout: () => json<{ ok: true }>('POST', '/api/auth/logout', { quiet401: true }),
  me: () => json<Me>('GET', '/api/auth/me', { quiet401: true }),
  keepalive: () => json<{ ok: true }>('POST', '/api/auth/keepalive'),

  // queue and review
  queue: () => json<{ items: QueueItem[] }>('GET', '/api/queue'),
  claim: (id: string) => json<{ ok: true }>('POST', `/api/requisitions/${seg(id)}/claim`),
  requisition: (id: string, options: { prefetch?: boolean } = {}) => json<Requisition>('GET', `/api/requisitions/${seg(id)}`, options),
  /** A prefetched requisition is now on screen: this is its audited view. */
  viewed: (id: string) => json<{ ok: true }>('POST', `/api/requisitions/${seg(id)}/viewed`),
  summary: (id: string) => json<RequisitionSummary>('GET', `/api/requisitions/${seg(id)}/summary`),
  pageImagePath: (id: string, page: number) => `/api/requisitions/${seg(id)}/pages/${page}/image`,
  cropPath: (id: string, key: string) => `/api/requisitions/${seg(id)}/fields/${seg(key)}/crop`,
  review: (id: string, key: string, body: { action: ReviewAction; value?: FieldValue; acknowledgeFlags?: boolean }) =>
    json<ReviewAnswer>('POST', `/api/requisitions/${seg(id)}/fields/${seg(key)}/review`, { body }),
  identity: (id: string, identifiers: IdentifierKind[]) =>
    json<IdentityAnswer>('POST', `/api/requisitions/${seg(id)}/identity`, { body: { identifiers } }),
  release: (id: string) => json<ReleaseAnswer>('POST', `/api/requisitions/${seg(id)}/release`),
  escalate: (id: string, reason: string) =>
    json<{ state: 'escalated' }>('POST', `/api/requisitions/${seg(id)}/escalate`, { body: { reason } }),
  next: (id: string) => json<{ id: string | null }>('GET', `/api/requisitions/${seg(id)}/next`),
  reject: (id: string, reason: string) =>
    json<{ state: 'rejected' }>('POST', `/api/requisitions/${seg(id)}/reject`, { body: { reason } }),
  classify: (id: string, templateId: string, version: number) =>
    json<{ fields: number }>('POST', `/api/requisitions/${seg(id)}/classify`, { body: { templateId, version } }),

  // administration
  quarantine: () => json<{ items: QuarantineItem[] }>('GET', '/api/documents/quarantine'),
  templates: () => json<{ items: TemplateSummary[] }>('GET', '/api/templates'),
  uploadTemplate: async (form: FormData) => {
    const res = await send('POST', '/api/templates', {}, form);
    return (await res.json()) as TemplateUploadAnswer;
  },
  templatePageImagePath: (id: string, version: number, page: number) =>
    `/api/templates/${seg(id)}/${version}/pages/${page}/image`,
  publishTemplate: (id: string, version: number) =>
    json<{ active: true }>('POST', `/api/templates/${seg(id)}/${version}/publish`),
  users: () => json<{ items: AdminUser[] }>('GET', '/api/users'),
  createUser: (body: { username: string; displayName: string; roles: Role[] }) =>
    json<{ user: AdminUser; inviteUrl: string }>('POST', '/api/users', { body }),
  disableUser: (id: string) => json<{ ok: true }>('POST', `/api/users/${seg(id)}/disable`),
  // The server answers { connection } (null before the first setting); a bare object is accepted too.
  lis: async () => {
    const a = await json<{ connection?: LisSettings | null } & Partial<LisSettings>>('GET', '/api/lis');
    return 'connection' in a ? (a.connection ?? null) : (a as LisSettings);
  },
  saveLis: async (body: LisSettings) => {
    const a = await json<{ connection?: LisSettings } & Partial<LisSettings>>('PUT', '/api/lis', { body });
    return a.connection ?? (a as LisSettings);
  },

  // deliveries a person decides about (lead reviewer, admin; auditors look)
  deliveriesNeedingAttention: () => json<{ items: DeliverySummary[] }>('GET', '/api/deliveries?attention=1'),
  delivery: (id: string) => json<{ delivery: DeliverySummary; events: DeliveryEvent[] }>('GET', `/api/deliveries/${seg(id)}`),
  deliveryAck: (id: string) => json<{ text: string | null }>('GET', `/api/deliveries/${seg(id)}/ack`),
  resendDelivery: (id: string, note: string) =>
    json<{ deliveryId: string; state: string }>('POST', `/api/deliveries/${seg(id)}/resend`, { body: note ? { note } : {} }),
  markDeliveryReceived: (id: string, lisOrderNumber: string | null, note: string) =>
    json<{ deliveryId: string; state: string }>('POST', `/api/deliveries/${seg(id)}/mark-received`, {
      body: { lisOrderNumber, ...(note ? { note } : {}) },
    }),

  // audit
  audit: (filters: { requisitionId?: string; actor?: string; from?: string; to?: string; limit?: number }) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') q.set(k, String(v));
    const qs = q.toString();
    return json<{ items: AuditEvent[]; requisitionId?: string }>('GET', `/api/audit${qs ? `?${qs}` : ''}`);
  },
  auditVerify: () => json<AuditVerify>('GET', '/api/audit/verify'),
  /** The requisition's whole history as one PDF (auditors, or break-glass); audited by the server. */
  exportHistory: (id: string) => fetchBlob(`/api/audit/requisitions/${seg(id)}/export.pdf`),

  // break-glass (emergency access)
  openBreakGlass: (reason: string, minutes: number) =>
    json<{ breakGlass: BreakGlassActive }>('POST', '/api/break-glass', { body: { reason, minutes } }),
  endBreakGlass: () => json<{ ok: true }>('POST', '/api/break-glass/end'),
  breakGlassReport: (unreviewedOnly = false) => json<{ items: BreakGlassReport[] }>('GET', `/api/break-glass${unreviewedOnly ? '?unreviewed=1' : ''}`),
  reviewBreakGlass: (id: string, note: string) =>
    json<{ id: string; reviewedAt: string }>('POST', `/api/break-glass/${seg(id)}/review`, { body: note ? { note } : {} }),
};

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message || e.code;
  if (e instanceof Error) return e.message;
  return String(e);
}
