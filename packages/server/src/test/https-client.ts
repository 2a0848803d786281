/** A tiny HTTPS client for tests against a running server: verifies the certificate, keeps the session cookie. */
import https from 'node:https';

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = any>(): T;
}

export class HttpsSession {
  readonly #base: URL;
  readonly #ca: string;
  cookie: string | null = null;
  csrf: string | null = null;

  constructor(base: string, ca: string) {
    this.#base = new URL(base);
    this.#ca = ca;
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpsAnswer> {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const h: Record<string, string> = { ...headers };
    if (payload && !h['content-type']) h['content-type'] = 'application/json';
    if (payload) h['content-length'] = String(payload.length);
    if (this.cookie) h.cookie = `nx_session=${this.cookie}`;
    if (this.csrf && method !== 'GET') h['x-nexession-csrf'] = this.csrf;
    return new Promise((resolve, reject) => {
      const req = https.request(
        { hostname: this.#base.hostname, port: this.#base.port, path, method, headers: h, ca: this.#ca, minVersion: 'TLSv1.2' },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const set = res.headers['set-cookie'] ?? [];
            for (const c of set) {
              const m = /^nx_session=([^;]*)/.exec(c);
              if (m) this.cookie = m[1] || null;
            }
            const buf = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json: () => JSON.parse(buf.toString('utf8')) });
          });
        },
      );
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  async refreshCsrf(): Promise<void> {
    const me = await this.request('GET', '/api/auth/me');
    this.csrf = me.json().csrf;
  }
}
