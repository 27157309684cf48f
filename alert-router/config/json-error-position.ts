import type { Position } from './yaml-positions.js';

/**
 * Where, and why, `text` is not JSON, as a 1-based line and column and a message without V8's
 * excerpt of the text. V8 (Node 20) gives the offset for some errors ("… in JSON at position 7") but
 * not others ("Unexpected end of JSON input", "Unexpected token '}', "{"a":}" is not valid JSON"), so
 * the offset comes from a scan of the text that stops where a JSON parser must.
 */
export function jsonErrorPosition(text: string, error: unknown): Position & { message: string } {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(/ in JSON at position \d+.*$/s, '').replace(/^(Unexpected token .+?), .* is not valid JSON$/s, '$1');
  const offset = firstInvalidOffset(text);
  if (offset === undefined) return { message };
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { message, line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** The offset (0-based, UTF-16) where a JSON parse of `text` fails, or undefined when it is JSON. */
export function firstInvalidOffset(text: string): number | undefined {
  let i = 0;
  const stop = new Error('not JSON');
  const fail = (): never => {
    throw stop;
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else {
          i++;
          fail();
        }
      } else i++;
    }
    fail();
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    if (c === '-') {
      i++; // no digit after the sign
      fail();
    }
    for (const literal of ['true', 'false', 'null']) {
      if (c !== literal[0]) continue;
      let n = 0;
      while (n < literal.length && text[i + n] === literal[n]) n++;
      i += n;
      if (n === literal.length) return;
      fail();
    }
    fail();
  };
  try {
    value();
    space();
    return i < text.length ? i : undefined;
  } catch (error) {
    if (error === stop) return i;
    return undefined; // nesting too deep to scan: no position rather than a wrong one
  }
}
