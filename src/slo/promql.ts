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
  return parsed(expr).syntax;
}

/** One parse of `text`: its first syntax error, and the tree's top expression (for the type checks). */
function parsed(text: string): { syntax?: { offset: number; near: string }; top: Node | null } {
  if (text.trim() === '') return { syntax: { offset: 0, near: '' }, top: null };
  const tree = parser.parse(text);
  let offset: number | undefined;
  tree.iterate({
    enter(node) {
      if (offset === undefined && node.type.isError) offset = node.from;
      return offset === undefined;
    },
  });
  return offset === undefined ? { top: tree.topNode.firstChild } : { syntax: { offset, near: near(text, offset) }, top: null };
}

/** The value types of PromQL, named as Prometheus's own errors name them. */
export type PromqlType = 'scalar' | 'instant vector' | 'range vector' | 'string';

/** Why Prometheus would reject a query or selector, and where: `offset` is 0-based in the checked text. */
export interface PromqlProblem {
  offset: number;
  near: string;
  /**
   * A verb phrase about the checked text, to follow "PromQL" or "it": "does not parse", or
   * "is invalid (…)" saying what Prometheus rejects and what would be valid.
   */
  message: string;
}

/**
 * Checks a query the way Prometheus's parser does: syntax, then the type rules it enforces before
 * evaluating (ranges only on vector selectors, argument types of functions and aggregations,
 * operands of operators, where offset and @ may go, selectors that match everything). Checks that
 * need more than the syntax tree (regex matchers that match "") are left to Prometheus.
 * `expected` is the type the caller needs the whole query to have.
 */
export function promqlError(expr: string, expected?: PromqlType): PromqlProblem | undefined {
  const { syntax, top } = parsed(expr);
  if (syntax) return { ...syntax, message: 'does not parse' };
  if (!top) return { offset: 0, near: '', message: 'does not parse' };
  const checker = new TypeChecker(expr);
  const type = checker.check(toAst(top, expr));
  const found = checker.problem;
  if (found) return { offset: found.offset, near: near(expr, found.offset), message: `is invalid (${found.reason})` };
  if (expected !== undefined && type !== undefined && type !== expected) {
    const example = expected === 'instant vector' ? ' such as sum(rate(x[5m]))' : '';
    return { offset: top.from, near: near(expr, top.from), message: `is invalid (it is ${article(type)}; it must be ${article(expected)}${example})` };
  }
  return undefined;
}

/**
 * Checks text meant to go between the braces of a selector (`job="api", route!="/healthz"`): only
 * label matchers, nothing that closes the brace or adds operators, and no metric name, which the
 * caller adds. Offsets are in `text`.
 */
export function labelMatchersError(text: string): PromqlProblem | undefined {
  const prefix = 'm{';
  const expr = `${prefix}${text}}`;
  const at = (offset: number, message: string): PromqlProblem => {
    const inText = Math.min(Math.max(0, offset - prefix.length), text.length);
    return { offset: inText, near: near(text, inText), message };
  };
  const { syntax, top } = parsed(expr);
  if (syntax) return at(syntax.offset, 'does not parse');
  if (!top || top.name !== 'VectorSelector' || top.to !== expr.length) {
    const end = firstClosingBrace(expr);
    return at(end, 'is invalid (a "}" closes the selector and more PromQL follows)');
  }
  const matchers = [...children(top.getChild('LabelMatchers'))];
  for (const m of matchers) {
    if (m.name === 'QuotedLabelName') return at(m.from, 'is invalid (a quoted metric name is not a label matcher)');
    if (matcherName(expr, m) === '__name__') return at(m.from, 'is invalid (the metric name is set on its own, not by __name__)');
  }
  // Callers append their own matchers after a comma; a trailing one would make two.
  const last = matchers[matchers.length - 1];
  const comma = last === undefined ? -1 : expr.indexOf(',', last.to);
  if (comma >= 0) return at(comma, 'is invalid (it ends with a comma; more matchers are added after it, so drop the comma)');
  return undefined;
}

/** Checks a lone series selector, `metric`, `metric{…}` or `{…}`, as Prometheus would accept it. */
export function seriesSelectorError(text: string): PromqlProblem | undefined {
  const { syntax, top } = parsed(text);
  if (syntax) return { ...syntax, message: 'does not parse' };
  const start = text.length - text.trimStart().length;
  const end = text.trimEnd().length;
  if (!top || top.name !== 'VectorSelector' || top.from !== start || top.to !== end) {
    const offset = top?.name === 'VectorSelector' ? top.to : start;
    return { offset, near: near(text, offset), message: 'is more than a series selector (no functions, operators, offset or range)' };
  }
  const reason = selectorReason(text, top);
  return reason === undefined ? undefined : { offset: top.from, near: near(text, top.from), message: `is invalid (${reason})` };
}

/** Whitespace-insensitive form of a query, to compare two queries for sameness. */
export function normalizeQuery(expr: string): string {
  return expr.replace(/\s+/g, '');
}

type Node = NonNullable<ReturnType<typeof parser.parse>['topNode']['firstChild']>;

interface Signature {
  args: readonly PromqlType[];
  /** As in Prometheus: 0 exactly `args`; n up to n more of the last type; -1 any number more. */
  variadic: number;
  returns: PromqlType;
}

const S: PromqlType = 'scalar';
const V: PromqlType = 'instant vector';
const M: PromqlType = 'range vector';
const STR: PromqlType = 'string';

/** Function names sharing one signature. */
function signature(names: string, args: readonly PromqlType[], returns: PromqlType = V, variadic = 0): Array<[string, Signature]> {
  return names.split(/\s+/).map((name) => [name, { args, returns, variadic }]);
}

/** Prometheus's function signatures (promql/parser/functions.go); a function not listed is not type-checked. */
const FUNCTIONS: ReadonlyMap<string, Signature> = new Map([
  ...signature(
    `abs absent acos acosh asin asinh atan atanh ceil cos cosh deg exp floor histogram_avg histogram_count
     histogram_stddev histogram_stdvar histogram_sum ln log10 log2 rad sgn sin sinh sort sort_desc sqrt tan tanh timestamp`,
    [V],
  ),
  ...signature('day_of_month day_of_week day_of_year days_in_month hour minute month year', [V], V, 1),
  ...signature(
    `absent_over_time avg_over_time changes count_over_time delta deriv first_over_time idelta increase irate
     last_over_time mad_over_time max_over_time min_over_time present_over_time rate resets stddev_over_time
     stdvar_over_time sum_over_time ts_of_first_over_time ts_of_last_over_time ts_of_max_over_time ts_of_min_over_time`,
    [M],
  ),
  ...signature('end pi range start step time', [], S),
  ...signature('clamp', [V, S, S]),
  ...signature('clamp_max clamp_min', [V, S]),
  ...signature('double_exponential_smoothing', [M, S, S]),
  ...signature('histogram_fraction', [S, S, V]),
  ...signature('histogram_quantile', [S, V]),
  ...signature('histogram_quantiles', [V, STR, S, S], V, 9),
  ...signature('info', [V, V], V, 1),
  ...signature('label_join', [V, STR, STR, STR], V, -1),
  ...signature('label_replace', [V, STR, STR, STR, STR]),
  ...signature('predict_linear', [M, S]),
  ...signature('quantile_over_time', [S, M]),
  ...signature('round', [V, S], V, 1),
  ...signature('scalar', [V], S),
  ...signature('sort_by_label sort_by_label_desc', [V, STR], V, -1),
  ...signature('vector', [S]),
]);

/** Aggregations that take a parameter before the vector, and its type. */
const AGGREGATION_PARAM: ReadonlyMap<string, PromqlType> = new Map([
  ['Topk', S],
  ['Bottomk', S],
  ['Quantile', S],
  ['LimitK', S],
  ['LimitRatio', S],
  ['CountValues', STR],
]);

const COMPARISONS = new Set(['Eql', 'Neq', 'Gtr', 'Lss', 'Gte', 'Lte']);
const SET_OPERATORS = new Set(['And', 'Or', 'Unless']);
const OPERATORS = new Set([...COMPARISONS, ...SET_OPERATORS, 'Pow', 'Mul', 'Div', 'Mod', 'Atan2', 'Add', 'Sub', 'TrimUpper', 'TrimLower']);
const MODIFIERS = new Set(['OffsetExpr', 'StepInvariantExpr']);

/**
 * The query as Prometheus groups it. lezer-promql hangs a range, a subquery, offset and @ over a
 * whole binary or unary expression (`a + b offset 5m` as `(a + b) offset 5m`); Prometheus's grammar
 * binds them tighter than every operator, to the operand just before them (`a + (b offset 5m)`).
 */
type Ast =
  | { kind: 'leaf'; from: number; type: PromqlType }
  | { kind: 'selector'; from: number; node: Node }
  | { kind: 'paren'; from: number; inner: Ast }
  /** A range, subquery, offset, @, anchored or smoothed; `at` is where its "[" or keyword starts. */
  | { kind: 'postfix'; from: number; name: string; at: number; inner: Ast }
  | { kind: 'unary'; from: number; operand: Ast }
  | { kind: 'binary'; from: number; lhs: Ast; rhs: Ast; op: Node | undefined; bool: boolean }
  | { kind: 'call'; from: number; name: string; args: Ast[] }
  | { kind: 'aggregate'; from: number; op: Node | undefined; args: Ast[] }
  | { kind: 'other'; from: number; children: Ast[] };

const POSTFIX_KEYWORD: ReadonlyMap<string, string> = new Map([
  ['OffsetExpr', 'Offset'],
  ['StepInvariantExpr', 'At'],
  ['AnchoredExpr', 'Anchored'],
  ['SmoothedExpr', 'Smoothed'],
]);

function toAst(node: Node, text: string): Ast {
  const from = node.from;
  const inner = (): Ast => {
    const child = exprs(node)[0];
    return child ? toAst(child, text) : { kind: 'other', from, children: [] };
  };
  switch (node.name) {
    case 'NumberDurationLiteral':
      return { kind: 'leaf', from, type: S };
    case 'StringLiteral':
      return { kind: 'leaf', from, type: STR };
    case 'VectorSelector':
      return { kind: 'selector', from, node };
    case 'ParenExpr':
      return { kind: 'paren', from, inner: inner() };
    case 'MatrixSelector':
    case 'SubqueryExpr': {
      const at = text.lastIndexOf('[', node.getChild('DurationExpr')?.from ?? node.to);
      return attach(inner(), node.name, at);
    }
    case 'OffsetExpr':
    case 'StepInvariantExpr':
    case 'AnchoredExpr':
    case 'SmoothedExpr':
      return attach(inner(), node.name, node.getChild(POSTFIX_KEYWORD.get(node.name) ?? '')?.from ?? from);
    case 'UnaryExpr':
      return { kind: 'unary', from, operand: inner() };
    case 'BinaryExpr': {
      const [lhs, rhs] = exprs(node).map((child) => toAst(child, text));
      if (!lhs || !rhs) return { kind: 'other', from, children: [] };
      return { kind: 'binary', from, lhs, rhs, op: operator(node), bool: node.getChild('BoolModifier') !== null };
    }
    case 'FunctionCall': {
      const id = node.getChild('FunctionIdentifier');
      const args = exprs(node.getChild('FunctionCallBody')).map((child) => toAst(child, text));
      return { kind: 'call', from, name: id ? text.slice(id.from, id.to) : '', args };
    }
    case 'AggregateExpr': {
      const args = exprs(node.getChild('FunctionCallBody')).map((child) => toAst(child, text));
      return { kind: 'aggregate', from, op: node.getChild('AggregateOp')?.firstChild ?? undefined, args };
    }
    default:
      return { kind: 'other', from, children: exprs(node).map((child) => toAst(child, text)) };
  }
}

/** Hangs a postfix on the operand just before it, as Prometheus's grammar does. */
function attach(inner: Ast, name: string, at: number): Ast {
  if (inner.kind === 'binary') return { ...inner, rhs: attach(inner.rhs, name, at) };
  if (inner.kind === 'unary') return { ...inner, operand: attach(inner.operand, name, at) };
  return { kind: 'postfix', from: inner.from, name, at, inner };
}

/**
 * Infers each expression's type bottom-up and keeps the problem Prometheus would report: one about
 * where a range, offset or @ stands first, as its parser does, else the first type error. An
 * unknown type (a function not listed, a newer construct) is never reported, only passed up.
 */
class TypeChecker {
  private placement: { offset: number; reason: string } | undefined;
  private typing: { offset: number; reason: string } | undefined;

  constructor(private readonly text: string) {}

  get problem(): { offset: number; reason: string } | undefined {
    return this.placement ?? this.typing;
  }

  check(ast: Ast): PromqlType | undefined {
    switch (ast.kind) {
      case 'leaf':
        return ast.type;
      case 'selector': {
        const reason = selectorReason(this.text, ast.node);
        if (reason !== undefined) this.fail(ast.from, reason);
        return V;
      }
      case 'paren':
        return this.check(ast.inner);
      case 'postfix':
        return this.postfix(ast);
      case 'unary': {
        const type = this.check(ast.operand);
        if (type === M || type === STR) this.fail(ast.from, `a sign applies to a scalar or an instant vector, not ${article(type)}`);
        return type;
      }
      case 'binary':
        return this.binary(ast);
      case 'call':
        return this.call(ast);
      case 'aggregate':
        return this.aggregate(ast);
      case 'other':
        for (const child of ast.children) this.check(child);
        return undefined;
    }
  }

  private postfix(ast: Extract<Ast, { kind: 'postfix' }>): PromqlType | undefined {
    const type = this.check(ast.inner);
    const inner = ast.inner;
    switch (ast.name) {
      case 'MatrixSelector':
        if (inner.kind === 'postfix' && MODIFIERS.has(inner.name)) {
          this.fail(ast.at, 'offset and @ go after the range, as in x[5m] offset 1h', true);
        } else if (inner.kind !== 'selector') {
          this.fail(
            ast.at,
            'ranges only allowed for vector selectors: put the range on the selector, as in sum(rate(x[5m])), ' +
              'or make a subquery with a step, as in max_over_time(sum(x)[5m:1m])',
            true,
          );
        }
        return M;
      case 'SubqueryExpr':
        if (type !== undefined && type !== V) this.fail(ast.at, `a subquery [range:step] needs an instant vector, not ${article(type)}`);
        return M;
      case 'OffsetExpr':
      case 'StepInvariantExpr': {
        const other = ast.name === 'OffsetExpr' ? 'StepInvariantExpr' : 'OffsetExpr';
        const target = inner.kind === 'postfix' && inner.name === other ? inner.inner : inner;
        if (target.kind !== 'selector' && !(target.kind === 'postfix' && !MODIFIERS.has(target.name))) {
          const example = ast.name === 'OffsetExpr' ? 'offset 1h' : '@ end()';
          const what = ast.name === 'OffsetExpr' ? 'offset' : '@';
          this.fail(ast.at, `${what} may follow only a selector, a range or a subquery, and only once, as in rate(x[5m] ${example})`, true);
        }
        return type;
      }
      default:
        return type;
    }
  }

  private binary(ast: Extract<Ast, { kind: 'binary' }>): PromqlType | undefined {
    const lt = this.check(ast.lhs);
    const rt = this.check(ast.rhs);
    for (const [side, type] of [[ast.lhs, lt], [ast.rhs, rt]] as const) {
      if (type === M || type === STR) {
        this.fail(side.from, `binary expression must contain only scalar and instant vector types, not ${article(type)}`);
      }
    }
    const op = ast.op;
    if (op === undefined) return undefined;
    if (ast.bool && !COMPARISONS.has(op.name)) this.fail(op.from, 'bool goes only after a comparison such as > or ==');
    if (COMPARISONS.has(op.name) && !ast.bool && lt === S && rt === S) {
      this.fail(op.from, 'comparisons between scalars must use bool, as in 1 > bool 0');
    }
    if (SET_OPERATORS.has(op.name) && (lt === S || rt === S)) {
      this.fail(op.from, `"${this.slice(op)}" needs instant vectors on both sides; write vector(0) for a constant`);
    }
    if (lt === undefined || rt === undefined) return undefined;
    return lt === S && rt === S ? S : V;
  }

  private call(ast: Extract<Ast, { kind: 'call' }>): PromqlType | undefined {
    const { name, args } = ast;
    const types = args.map((arg) => this.check(arg));
    const sig = FUNCTIONS.get(name);
    if (!sig) return undefined;
    const variadic = sig.variadic;
    const fixed = variadic === 0 ? sig.args.length : sig.args.length - 1;
    if (variadic === 0 && args.length !== fixed) {
      this.fail(ast.from, `${name}() takes ${count(fixed)}, got ${args.length}`);
    } else if (args.length < fixed) {
      this.fail(ast.from, `${name}() takes at least ${count(fixed)}, got ${args.length}`);
    } else if (variadic > 0 && args.length > fixed + variadic) {
      this.fail(ast.from, `${name}() takes at most ${count(fixed + variadic)}, got ${args.length}`);
    }
    args.forEach((arg, i) => {
      const want = i < sig.args.length ? sig.args[i] : variadic === 0 ? undefined : sig.args[sig.args.length - 1];
      const got = types[i];
      if (want !== undefined && got !== undefined && got !== want) {
        this.fail(arg.from, `${name}() needs ${article(want)} here, not ${article(got)}${want === M ? ', such as x[5m]' : ''}`);
      }
    });
    return sig.returns;
  }

  private aggregate(ast: Extract<Ast, { kind: 'aggregate' }>): PromqlType {
    const { op, args } = ast;
    const types = args.map((arg) => this.check(arg));
    const param = op ? AGGREGATION_PARAM.get(op.name) : undefined;
    const name = op ? this.slice(op) : 'aggregation';
    const wanted = param === undefined ? 1 : 2;
    if (args.length !== wanted) {
      this.fail(ast.from, `${name}() takes ${count(wanted)}, got ${args.length}`);
      return V;
    }
    const [first] = args;
    const vector = args[wanted - 1];
    const vectorType = types[wanted - 1];
    if (param !== undefined && first && types[0] !== undefined && types[0] !== param) {
      this.fail(first.from, `${name}() needs ${article(param)} first, not ${article(types[0])}`);
    }
    if (vector && vectorType !== undefined && vectorType !== V) {
      const hint = vectorType === M ? ': take rate(...) of it first' : '';
      this.fail(vector.from, `${name}() aggregates an instant vector, not ${article(vectorType)}${hint}`);
    }
    return V;
  }

  private fail(offset: number, reason: string, placement = false): void {
    if (placement) this.placement ??= { offset, reason };
    else this.typing ??= { offset, reason };
  }

  private slice(node: Node): string {
    return this.text.slice(node.from, node.to);
  }
}

/**
 * A vector selector's own rules: the metric name set once, and something to match other than
 * every series (a name, or a matcher that does not match "").
 */
function selectorReason(text: string, node: Node): string | undefined {
  const matchers = [...children(node.getChild('LabelMatchers'))];
  if (node.getChild('Identifier')) {
    const named = matchers.some((m) => m.name === 'QuotedLabelName' || matcherName(text, m) === '__name__');
    return named ? 'the metric name is set twice: before the braces and by a __name__ matcher inside them' : undefined;
  }
  if (matchers.some((m) => m.name === 'QuotedLabelName' || !matchesEmpty(text, m))) return undefined;
  return 'a selector needs a metric name or a matcher that does not match "", e.g. {job="api"}';
}

/**
 * Whether a matcher matches the empty label value (a series without the label). Regex matchers are
 * tested as Prometheus anchors them, `^(?:re)$`; one that JavaScript cannot compile (RE2 and
 * JavaScript differ at the edges) is left to Prometheus.
 */
function matchesEmpty(text: string, matcher: Node): boolean {
  const op = matcher.getChild('MatchOp')?.firstChild?.name;
  const literal = matcher.getChild('StringLiteral');
  const value = literal === null ? undefined : unquote(text.slice(literal.from, literal.to));
  if (value === undefined) return false;
  if (op === 'EqlSingle') return value === '';
  if (op === 'Neq') return value !== '';
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${value})$`);
  } catch {
    return false;
  }
  if (op === 'EqlRegex') return re.test('');
  if (op === 'NeqRegex') return !re.test('');
  return false;
}

/** A PromQL string literal's value: "…" and '…' with Go escapes, `…` raw; undefined when unsure. */
function unquote(literal: string): string | undefined {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  const double = quote === "'" ? body.replace(/\\'/g, "'").replace(/"/g, '\\"') : body;
  try {
    return JSON.parse(`"${double}"`) as string;
  } catch {
    return undefined;
  }
}

/** The expression children of a node, in order. */
function exprs(node: Node | null): Node[] {
  return [...children(node)].filter((child) => child.type.is('Expr'));
}

function operator(node: Node): Node | undefined {
  return [...children(node)].find((child) => OPERATORS.has(child.name));
}

function* children(node: Node | null): Generator<Node> {
  for (let child = node?.firstChild ?? null; child; child = child.nextSibling) yield child;
}

/** The label a matcher matches on, `job` in both `job="a"` and `"job"="a"`. */
function matcherName(text: string, matcher: Node): string {
  const name = matcher.firstChild;
  if (!name) return '';
  const raw = text.slice(name.from, name.to);
  return name.name === 'QuotedLabelName' ? raw.slice(1, -1) : raw;
}

/** Offset of the first "}" outside string literals, or the end. */
function firstClosingBrace(expr: string): number {
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote !== undefined) {
      if (c === '\\' && quote !== '`') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '}') return i;
  }
  return expr.length;
}

function near(text: string, offset: number): string {
  return text.slice(Math.max(0, offset - 10), offset + 10);
}

function count(n: number): string {
  return `${n} argument${n === 1 ? '' : 's'}`;
}

function article(type: PromqlType): string {
  return `${type === 'instant vector' ? 'an' : 'a'} ${type}`;
}
