/**
 * One message carried across a navigation ("Released requisition 3f2c1a9e…"), shown once, by the
 * screen that opens next. It may change while it is shown: after a release the LIS's order number
 * arrives a moment later, and the same message then says it.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';

const texts = new Map<number, string>();
let pending: number | null = null;
let nextId = 1;
const listeners = new Set<() => void>();

function changed(): void {
  for (const l of listeners) l();
}

/** A message for the next screen; its id changes its words later (`updateFlash`). */
export function setFlash(text: string): number {
  const id = nextId++;
  texts.set(id, text);
  // Only the last few can still be on a screen.
  for (const old of texts.keys()) if (old < id - 5) texts.delete(old);
  pending = id;
  changed();
  return id;
}

export function updateFlash(id: number, text: string): void {
  if (!texts.has(id)) return;
  texts.set(id, text);
  changed();
}

/** The words of the message waiting for the next screen (without taking it). */
export function peekFlash(): string | null {
  return pending === null ? null : (texts.get(pending) ?? null);
}

export function clearFlash(): void {
  pending = null;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The message this screen opened with, following its updates; the next screen does not show it again. */
export function useFlash(): string | null {
  const [id] = useState(() => pending);
  useEffect(() => {
    if (pending === id) pending = null;
  }, [id]);
  return useSyncExternalStore(subscribe, () => (id === null ? null : (texts.get(id) ?? null)));
}
