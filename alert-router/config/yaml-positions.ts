import { isMap, isNode, isScalar, isSeq, visit, type Document, type LineCounter, type YAMLError } from 'yaml';
import type { SpecProblem } from '../../src/slo/spec-error.js';

/** A 1-based line and column, or nothing when the document does not hold the field. */
export type Position = Pick<SpecProblem, 'line' | 'column'>;

/** Where the fields of a parsed YAML (or JSON) document are, for error messages. */
export interface YamlPositions {
  /** The field's value; for a field the document lacks, its nearest ancestor that it has. */
  value(path: readonly PropertyKey[]): Position;
  /** The field's key (for a list item: the item), where a person reads the field's name; or nothing. */
  key(path: readonly PropertyKey[]): Position;
  /** The field's value when the document has it, else nothing (a default is in effect). */
  exact(path: readonly PropertyKey[]): Position;
}

/** Locates fields in `doc`, which was parsed with `lineCounter`. */
export function yamlPositions(doc: Document, lineCounter: LineCounter): YamlPositions {
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const nodeAt = (path: readonly PropertyKey[]): Position | undefined => {
    const node = doc.getIn(path as unknown[], true);
    return isNode(node) && node.range ? at(node.range[0]) : undefined;
  };
  return {
    value(path) {
      for (let n = path.length; n >= 0; n--) {
        const found = nodeAt(path.slice(0, n));
        if (found !== undefined) return found;
      }
      return {};
    },
    key(path) {
      const last = path[path.length - 1];
      if (last === undefined) return {};
      const parent = doc.getIn(path.slice(0, -1) as unknown[], true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(last));
        if (pair !== undefined && isNode(pair.key) && pair.key.range) return at(pair.key.range[0]);
      }
      if (isSeq(parent) && typeof last === 'number') {
        const item = parent.items[last];
        if (isNode(item) && item.range) return at(item.range[0]);
      }
      return {};
    },
    exact(path) {
      return nodeAt(path) ?? {};
    },
  };
}

/** A field path as messages print it: `routes[0].matchers[1]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/**
 * What a YAML parse error means for a person editing the file: the parser's wording, except where it
 * speaks to a programmer ("please use YAML.parseAllDocuments()") or leaves out what it is about.
 */
export function yamlErrorMessage(error: YAMLError, text: string): string {
  if (error.code === 'MULTIPLE_DOCS') return "more than one YAML document (a second '---'): the file is one document";
  if (error.code === 'DUPLICATE_KEY') {
    // The error points at the key's first character: the key is the rest of its line up to the colon.
    const key = text.slice(error.pos[0]).split(/:|\n/, 1)[0]!.trim();
    return `key ${JSON.stringify(key)} is given twice in one mapping: keep one (which value was meant?)`;
  }
  return error.message;
}

/**
 * Anchors and aliases (`&name`, `*name`, and the `<<` merges built on them) in `doc`: a field reached
 * through one has no place of its own in the file, so its errors could name neither a line nor the
 * right field. Refused with their positions; the file writes each value out.
 */
export function aliasProblems(doc: Document, lineCounter: LineCounter): { line: number; column: number; message: string }[] {
  const out: { line: number; column: number; message: string }[] = [];
  visit(doc, {
    Alias(_, node) {
      const start = node.range?.[0] ?? 0;
      const p = lineCounter.linePos(start);
      out.push({ line: p.line, column: p.col, message: `YAML alias *${node.source} is not supported here: write the value out` });
    },
  });
  return out;
}
