/**
 * `text` cut to at most `max` UTF-16 code units (how JavaScript and most APIs count length), ending
 * in "…" when cut, never splitting a surrogate pair (an emoji).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}
