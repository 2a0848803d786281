/**
 * Idle logoff as arithmetic on times, so it can be tested without a clock. The server has
 * its own idle limit; the workstation warns a minute before it and keeps the server's timer in
 * step with real activity (keystrokes count even when they send nothing).
 */

export type IdlePhase = { phase: 'active' } | { phase: 'warning'; secondsLeft: number } | { phase: 'expired' };

export function idlePhase(nowMs: number, lastActivityMs: number, timeoutSeconds: number, warningSeconds: number): IdlePhase {
  const idle = (nowMs - lastActivityMs) / 1000;
  if (idle >= timeoutSeconds) return { phase: 'expired' };
  const warnAt = Math.max(0, timeoutSeconds - warningSeconds);
  if (idle >= warnAt) return { phase: 'warning', secondsLeft: Math.ceil(timeoutSeconds - idle) };
  return { phase: 'active' };
}

/**
 * Tell the server about activity it cannot see (keys that only move between fields), at most
 * once per interval and only when there was activity since the last keepalive.
 */
export function keepaliveDue(nowMs: number, lastActivityMs: number, lastKeepaliveMs: number, intervalSeconds: number): boolean {
  return lastActivityMs > lastKeepaliveMs && nowMs - lastKeepaliveMs >= intervalSeconds * 1000;
}
