/**
 * Runs the real product as a child process (`nexession start`) in a throwaway var folder,
 * exactly as `npm start` does, and reads its printed URL and setup link.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningProduct {
  url: string;
  setupUrl: string;
  varDir: string;
  inboxDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startProduct(env: Record<string, string> = {}): Promise<RunningProduct> {
  const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-e2e-var-'));
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'packages/server/bin/nexession.js'), 'start'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NEXESSION_VAR_DIR: varDir,
      PORT: '0',
      INBOX_POLL_MS: '250',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const deadline = Date.now() + 240_000;
  let url: string | null = null;
  let setupUrl: string | null = null;
  while (Date.now() < deadline) {
    url = /Nexession is running at (https:\/\/\S+)/.exec(out)?.[1] ?? null;
    setupUrl = /(https:\/\/\S+\/setup\/\S+)/.exec(out)?.[1] ?? null;
    if (url && setupUrl) break;
    if (child.exitCode !== null) throw new Error(`nexession start exited with ${child.exitCode}:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!url || !setupUrl) {
    child.kill('SIGKILL');
    throw new Error(`nexession start did not print its URL and setup link in time:\n${out}`);
  }
  return {
    url,
    setupUrl,
    varDir,
    inboxDir: path.join(varDir, 'inbox'),
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(varDir, { recursive: true, force: true });
    },
  };
}
