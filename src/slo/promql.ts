import { parser } from '@prometheus-io/lezer-promql';
import type { WindowedQuery } from './types.js';

/** The placeholder text queries use for the range window, as in Sloth: `rate(x[{{.window}}])`. */
export const WINDOW_PLACEHOLDER = '{{.window}}';

/** Turns a text query with `{{.window}}` or a function of the window into one function. */
export function windowed(query: WindowedQuery): (window: string) => string {
  if (typeof query === 'function') return query;
  return (window) => query.split(WINDOW_PLACEHOLDER).join(window);
}

/** Where PromQL fails to parse: the 0-based offset of the first syntax error, or undefined when it parses. */
export function promqlSyntaxError(expr: string): { offset: number; near: string } | undefined {
  if (expr.trim() === '') return { offset: 0, near: '' };
  let offset: number | undefined;
  parser.parse(expr).iterate({
    enter(node) {
      if (offset === undefined && node.type.isError) offset = node.from;
      return offset === undefined;
    },
  });
  if (offset === undefined) return undefined;
  return { offset, near: expr.slice(Math.max(0, offset - 10), offset + 10) };
}

/** Whitespace-insensitive form of a query, to compare two queries for sameness. */
export function normalizeQuery(expr: string): string {
  return expr.replace(/\s+/g, '');
}
