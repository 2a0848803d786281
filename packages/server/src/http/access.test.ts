/**
 * Every route as every role, anonymous and half-signed-in included: the answer must follow the
 * route's access rule, and state-changing calls need the CSRF header. A route without a rule
 * is closed to everyone.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../db/schema.ts';
import { signedIn, startTestApp, TEST_PASSWORD, type Agent, type TestApp } from '../test/app.ts';

const ID = '3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';

function concrete(url: string): string {
  return url.replace(':id', ID).replace(':token', 'x'.repeat(43)).replace(':key', 'patient_last_name').replace(':page', '0').replace(':version', '1');
}

async function noRulePlugin(app: FastifyInstance) {
  app.get('/api/forgotten', async () => ({ secret: 'PHI' }));
}

describe('access control on every route', () => {
  let t: TestApp;
  const agents: Partial<Record<Role, Agent>> = {};
  let partialCookie: string;

  beforeAll(async () => {
    t = await startTestApp({ plugins: [{ plugin: noRulePlugin, name: 'no-rule' }] });
    for (const role of ['reviewer', 'lead_reviewer', 'admin', 'auditor'] as Role[]) agents[role] = await signedIn(t, `m-${role.replace('_', '-')}`, [role]);
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'm-reviewer', password: TEST_PASSWORD } });
    partialCookie = login.cookies.find((c) => c.name === 'nx_session')!.value;
  });
  afterAll(async () => t.close());

  it('lists the API routes, each with an access rule (except the planted one)', () => {
    const api = t.app.routeTable.filter((r) => r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(25);
    const missing = api.filter((r) => !r.access).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual(['GET /api/forgotten']);
  });

  it('closes a route that has no access rule, even to an administrator', async () => {
    for (const who of [undefined, agents.admin!]) {
      const r = who ? await who.request('GET', '/api/forgotten') : await t.app.inject({ method: 'GET', url: '/api/forgotten' });
      expect(r.statusCode).toBe(403);
      expect(r.body).not.toContain('PHI');
    }
  });

  it('answers each route for each principal as its rule says', async () => {
    const routes = t.app.routeTable.filter((r) => r.url.startsWith('/api/') && r.access && r.url !== '/api/auth/logout');
    const failures: string[] = [];
    for (const r of routes) {
      const url = concrete(r.url);
      const payload = r.method === 'GET' ? undefined : {};
      const principals: [string, () => Promise<{ statusCode: number }>, Role | 'anonymous' | 'partial'][] = [
        ['anonymous', () => t.app.inject({ method: r.method as 'GET', url, ...(payload ? { payload } : {}) }), 'anonymous'],
        ['partial', () => t.app.inject({ method: r.method as 'GET', url, cookies: { nx_session: partialCookie }, ...(payload ? { payload } : {}) }), 'partial'],
        ...(Object.entries(agents) as [Role, Agent][]).map(([role, a]) => [role, () => a.request(r.method, url, payload), role] as [string, () => Promise<{ statusCode: number }>, Role]),
      ];
      for (const [name, call, who] of principals) {
        const res = await call();
        const a = r.access!;
        let expected: 'open' | 401 | 403 | 409;
        if (a.kind === 'public') expected = 'open';
        else if (a.kind === 'partial') expected = who === 'partial' ? 'open' : who === 'anonymous' ? 401 : 409;
        else if (who === 'anonymous' || who === 'partial') expected = 401;
        else expected = a.roles.includes(who) ? 'open' : 403;
        const ok = expected === 'open' ? res.statusCode !== 401 && res.statusCode !== 403 : res.statusCode === expected;
        if (!ok) failures.push(`${r.method} ${r.url} as ${name}: ${res.statusCode}, expected ${expected}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses state-changing calls without the CSRF header, for every role the route allows', async () => {
    const routes = t.app.routeTable.filter((r) => r.url.startsWith('/api/') && r.access?.kind === 'roles' && r.method !== 'GET');
    const failures: string[] = [];
    for (const r of routes) {
      const a = r.access as Extract<typeof r.access, { kind: 'roles' }>;
      const role = a.roles[0]!;
      const agent = agents[role]!;
      const res = await t.app.inject({ method: r.method as 'POST', url: concrete(r.url), cookies: { nx_session: agent.cookie }, payload: {} });
      if (res.statusCode !== 403 || res.json().error.code !== 'csrf') failures.push(`${r.method} ${r.url}: ${res.statusCode}`);
      const wrong = await t.app.inject({ method: r.method as 'POST', url: concrete(r.url), cookies: { nx_session: agent.cookie }, headers: { 'x-nexession-csrf': 'x'.repeat(32) }, payload: {} });
      if (wrong.statusCode !== 403) failures.push(`${r.method} ${r.url} with a wrong token: ${wrong.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  // Found by the security review: the rule was looked up only when the raw URL started with
  // "/api/", but the router decodes the path, so "/%61pi/users" ran the "/api/users" handler with
  // no session check at all (anonymous account creation, PHI reads, LIS redirection).
  it('holds every rule when the path is percent-encoded', async () => {
    const spellings = (url: string) => [
      url.replace(/^\/api\//, '/%61pi/'),
      url.replace(/^\/api\/(.)/, (_m, c: string) => `/api/%${c.charCodeAt(0).toString(16)}`),
      url.replace(/^\/api\//, '/%61%70%69/'),
    ];
    const routes = t.app.routeTable.filter((r) => r.url.startsWith('/api/') && r.access && r.access.kind !== 'public' && r.url !== '/api/auth/logout');
    const failures: string[] = [];
    for (const r of routes) {
      for (const url of spellings(concrete(r.url))) {
        const payload = r.method === 'GET' ? undefined : {};
        const anon = await t.app.inject({ method: r.method as 'GET', url, ...(payload ? { payload } : {}) });
        if (anon.statusCode !== 401) failures.push(`${r.method} ${url} as anonymous: ${anon.statusCode}`);
        if (anon.headers['cache-control'] !== 'no-store') failures.push(`${r.method} ${url}: not no-store`);
        const a = r.access!;
        if (a.kind !== 'roles') continue;
        const outsider = (Object.entries(agents) as [Role, Agent][]).find(([role]) => !a.roles.includes(role));
        if (outsider) {
          const res = await outsider[1].request(r.method, url, payload);
          if (res.statusCode !== 403) failures.push(`${r.method} ${url} as ${outsider[0]}: ${res.statusCode}`);
        }
        if (r.method !== 'GET') {
          const insider = agents[a.roles[0]!]!;
          const noCsrf = await t.app.inject({ method: r.method as 'POST', url, cookies: { nx_session: insider.cookie }, payload: {} });
          if (noCsrf.statusCode !== 403) failures.push(`${r.method} ${url} without CSRF: ${noCsrf.statusCode}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The attack itself: an anonymous caller creating an administrator.
    const create = await t.app.inject({ method: 'POST', url: '/%61pi/users', payload: { username: 'mallory', displayName: 'M', roles: ['admin'] } });
    expect(create.statusCode).toBe(401);
    expect(await t.ctx.db.selectFrom('users').select('id').where('username', '=', 'mallory').executeTakeFirst()).toBeUndefined();
  });

  it('audits a signed-in person turned away (role or CSRF), naming the route pattern only', async () => {
    const before = await t.ctx.db.selectFrom('audit_events').select('seq').where('action', '=', 'access.denied').execute();
    expect((await agents.reviewer!.request('GET', '/api/users')).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: `/api/requisitions/${ID}/claim`, cookies: { nx_session: agents.reviewer!.cookie }, payload: {} })).statusCode).toBe(403);
    const rows = await t.ctx.db.selectFrom('audit_events').select(['actor_id', 'object_id', 'details']).where('action', '=', 'access.denied').orderBy('seq').execute();
    const mine = rows.slice(before.length).filter((r) => r.actor_id === agents.reviewer!.userId);
    expect(mine.map((r) => [r.object_id, JSON.parse(r.details!).reason])).toEqual([
      ['GET /api/users', 'role'],
      ['POST /api/requisitions/:id/claim', 'csrf'],
    ]);
  });

  it('serves unknown API paths as 404 JSON and marks API answers no-store', async () => {
    const r = await agents.reviewer!.request('GET', '/api/nothing-here');
    expect(r.statusCode).toBe(404);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});
