/** One message carried across a navigation ("Released. Queue is empty."); shown once. */
let message: string | null = null;

export function setFlash(text: string): void {
  message = text;
}

/** Read without clearing (render may run twice); clear it from an effect with `clearFlash`. */
export function peekFlash(): string | null {
  return message;
}

export function clearFlash(): void {
  message = null;
}
