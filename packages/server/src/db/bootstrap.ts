/**
 * First-run provisioning on a cluster we control (the embedded default, and the test cluster):
 * the owner role that runs migrations and owns every object and trigger, the application role
 * that logs in with DML grants only, and the database. On an external server a DBA does this
 * once (see the README); the migrations then grant to `nexession_app`.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { readSecretJson, writeSecretJson } from '../secrets.ts';

export const OWNER_ROLE = 'nexession_owner';
export const APP_ROLE = 'nexession_app';

export interface RolePasswords {
  ownerPassword: string;
  appPassword: string;
}

export async function loadOrCreateRolePasswords(file: string): Promise<RolePasswords> {
  const existing = await readSecretJson<RolePasswords>(file);
  if (existing) return existing;
  const created = {
    ownerPassword: randomBytes(24).toString('base64url'),
    appPassword: randomBytes(24).toString('base64url'),
  };
  await writeSecretJson(file, created);
  return created;
}

function withUser(url: string, user: string, password: string, database: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  u.pathname = `/${database}`;
  return u.toString();
}

export async function ensureRoles(superuserUrl: string, passwords: RolePasswords): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    for (const [role, password, attrs] of [
      [OWNER_ROLE, passwords.ownerPassword, 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'],
      [APP_ROLE, passwords.appPassword, 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'],
    ] as const) {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const verb = exists.rowCount ? 'ALTER' : 'CREATE';
      await client.query(`${verb} ROLE ${client.escapeIdentifier(role)} ${attrs} PASSWORD ${client.escapeLiteral(password)}`);
    }
  } finally {
    await client.end();
  }
}

export interface DatabaseUrls {
  ownerUrl: string;
  appUrl: string;
}

/** Creates `database` owned by the owner role (when missing) and closes it to everyone else. */
export async function ensureDatabase(superuserUrl: string, database: string, passwords: RolePasswords): Promise<DatabaseUrls> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!exists.rowCount) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)} OWNER ${OWNER_ROLE} ENCODING 'UTF8' TEMPLATE template0`);
    }
    const db = client.escapeIdentifier(database);
    await client.query(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
    await client.query(`GRANT CONNECT ON DATABASE ${db} TO ${APP_ROLE}`);
  } finally {
    await client.end();
  }
  // Inside the database: nobody but the owner creates anything in `public`.
  const inside = new pg.Client({ connectionString: withUser(superuserUrl, decodeURIComponent(new URL(superuserUrl).username), decodeURIComponent(new URL(superuserUrl).password), database) });
  await inside.connect();
  try {
    await inside.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await inside.query(`ALTER SCHEMA public OWNER TO ${OWNER_ROLE}`);
  } finally {
    await inside.end();
  }
  return {
    ownerUrl: withUser(superuserUrl, OWNER_ROLE, passwords.ownerPassword, database),
    appUrl: withUser(superuserUrl, APP_ROLE, passwords.appPassword, database),
  };
}
