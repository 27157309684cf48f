import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/javascript';

const tsParser = parser.configure({ dialect: 'ts' });

/** Nodes that are syntax, not values: brackets, commas, keywords. */
const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', ':', ';', '...', 'LineComment', 'BlockComment']);

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) if (!PUNCTUATION.has(c.name) && !c.type.isError) out.push(c);
  return out;
}

/** A property key as written: `name`, `'name'` or `"name"`. */
function keyText(key: SyntaxNode, source: string): string {
  const text = source.slice(key.from, key.to);
  return key.name === 'String' ? text.slice(1, -1) : text;
}

/** `const name = value` anywhere in the file: the value node. */
function declaration(top: SyntaxNode, source: string, name: string): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  top.cursor().iterate((c) => {
    if (found !== undefined) return false;
    if (c.name !== 'VariableDefinition' || source.slice(c.from, c.to) !== name) return true;
    // `name`, then an optional type annotation, then `=`, then the value.
    let n = c.node.nextSibling;
    while (n !== null && n.name !== 'Equals') n = n.nextSibling;
    found = n?.nextSibling ?? undefined;
    return false;
  });
  return found;
}

/**
 * The object or array literal a value node stands for: through `defineService(...)`, parentheses,
 * `as` / `satisfies` and a variable declared in the same file; undefined when it is computed.
 */
function literal(node: SyntaxNode | undefined, top: SyntaxNode, source: string, depth = 0): SyntaxNode | undefined {
  if (node === undefined || depth > 8) return undefined;
  switch (node.name) {
    case 'ObjectExpression':
    case 'ArrayExpression':
      return node;
    case 'CallExpression':
      return literal(children(node.getChild('ArgList') ?? node)[0], top, source, depth + 1);
    case 'VariableName':
      return literal(declaration(top, source, source.slice(node.from, node.to)), top, source, depth + 1);
    default:
      // ParenthesizedExpression, `x as T`, `x satisfies T`: the expression is the first child.
      return literal(children(node)[0], top, source, depth + 1);
  }
}

/** The node of `key` in an object literal (the last one, as in JavaScript) and its value. */
function property(object: SyntaxNode, key: string, source: string): { at: SyntaxNode; value: SyntaxNode | undefined } | undefined {
  let match: { at: SyntaxNode; value: SyntaxNode | undefined } | undefined;
  for (const p of object.getChildren('Property')) {
    const [name, ...rest] = children(p);
    if (name === undefined || keyText(name, source) !== key) continue;
    // `{ key }` shorthand: the name is the value.
    match = { at: name, value: rest.length === 0 ? name : rest.at(-1) };
  }
  return match;
}

function position(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = source.indexOf('\n'); i >= 0 && i < offset; i = source.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/**
 * The line and column of a field in a TypeScript SLO file, from its syntax tree: `path` (e.g.
 * `slos[1].sli.errors`, `dependsOn[0]`) is followed from the default export through object and array
 * literals (also inside `defineService(...)` and through a `const` of the same file) to the key or
 * element it names. Where the value is computed (a spread, a function call) the deepest literal
 * reached is given, which still contains the field; undefined when not even the export is a literal.
 */
export function locateField(source: string, path: string): { line: number; column: number } | undefined {
  const top = tsParser.parse(source).topNode;
  const keyword = top
    .getChildren('ExportDeclaration')
    .map((e) => e.getChild('default'))
    .find((d) => d !== null);
  let node = literal(keyword?.nextSibling ?? undefined, top, source);
  if (node === undefined) return undefined;
  let at: SyntaxNode = node;
  for (const part of path.match(/\[\d+\]|[^.[\]]+/g) ?? []) {
    if (node === undefined) break;
    if (part.startsWith('[')) {
      if (node.name !== 'ArrayExpression' || node.getChild('Spread') !== null) break;
      const element = children(node)[Number(part.slice(1, -1))];
      if (element === undefined) break;
      at = element;
      node = literal(element, top, source);
    } else {
      if (node.name !== 'ObjectExpression') break;
      const p = property(node, part, source);
      if (p === undefined) break;
      at = p.at;
      node = literal(p.value, top, source);
    }
  }
  return position(source, at.from);
}
