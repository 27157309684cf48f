/** An Alertmanager-style label matcher: `name="value"`, `name!=value`, `name=~"re"`, `name!~"re"`. */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  /** Anchored like Alertmanager's (`^(?:value)$`), for the regex operators. */
  regex: RegExp | undefined;
  /** The matcher as written, for timeline reasons. */
  text: string;
}

const MATCHER_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** Parses one matcher; throws an Error whose message says what is wrong (config validation locates it). */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  if (m === null) throw new Error(`"${text}" is not a matcher: want name="value" with =, !=, =~ or !~`);
  const [, name = '', op = '=', raw = ''] = m;
  let value = raw;
  if (raw.startsWith('"')) {
    try {
      value = JSON.parse(raw) as string;
    } catch {
      throw new Error(`"${text}": the quoted value is not a valid string`);
    }
  }
  let regex: RegExp | undefined;
  if (op === '=~' || op === '!~') {
    try {
      regex = new RegExp(`^(?:${value})$`);
    } catch (cause) {
      throw new Error(`"${text}": invalid regular expression`, { cause });
    }
  }
  return { name, op: op as Matcher['op'], value, regex, text: text.trim() };
}

/** True when the label set satisfies the matcher; a missing label matches as the empty string, as in Alertmanager. */
export function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return m.regex!.test(v);
    case '!~':
      return !m.regex!.test(v);
  }
}
