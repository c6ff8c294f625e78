/**
 * Values in messages: long text is cut (a 10 MB answer must not come back in a `reason`) and numbers JSON
 * cannot spell are named (`--lr Infinity` says "got Infinity", not "got null").
 */
export const MESSAGE_CHARS = 200;

/** `text` cut to `max` characters, saying how long it was. */
export function clip(text: string, max = MESSAGE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length.toLocaleString('en-US')} characters)`;
}

/** A value as a message shows it: JSON, except non-finite numbers and undefined; long values clipped. */
export function show(value: unknown, max = MESSAGE_CHARS): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return `${value}n`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return clip(text, max);
}
