/**
 * Break-glass in the workstation, as pure logic: the time left on the banner and whether a reason
 * is words (the server decides; this only says why the button is not ready yet).
 */

/** Seconds left, counted from the server's answer so a wrong local clock does not matter. */
export function secondsLeft(remainingAtAnswer: number, answeredAtMs: number, nowMs: number): number {
  return Math.max(0, Math.floor(remainingAtAnswer - (nowMs - answeredAtMs) / 1000));
}

/** "29:05", or "1:02:03" past an hour. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Mirrors the server's rule: at least 15 characters and three words, not one word repeated. */
export function reasonProblem(reason: string): string | null {
  const text = reason.trim();
  if (text.length < 15) return 'Say why in words (at least 15 characters).';
  const words = text.match(/\p{L}{2,}/gu) ?? [];
  if (words.length < 3) return 'Say why in words (at least three words).';
  if (new Set(words.map((w) => w.toLowerCase())).size < 2) return 'Say why in words, not one word repeated.';
  return null;
}

/** Time-box choices up to the server's maximum, always including its default. */
export function minuteChoices(defaults: { default: number; max: number }): number[] {
  const set = new Set([15, 30, 60, 120, 240, defaults.default].filter((m) => m >= 1 && m <= defaults.max));
  return [...set].sort((a, b) => a - b);
}
