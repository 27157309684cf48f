import { stringify } from 'yaml';
import { GENERATED_HEADER } from './conventions.js';

/**
 * The one YAML writer for generated files: no line folding (PromQL stays greppable), plain
 * scalars where safe, and the DO-NOT-EDIT header naming the sources.
 */
export function toGeneratedYaml(value: unknown, sources: readonly string[]): string {
  const header = [`# ${GENERATED_HEADER}`, ...sources.map((s) => `# Source: ${s}`)].join('\n');
  return `${header}\n${stringify(value, { lineWidth: 0, minContentWidth: 0, indent: 2, aliasDuplicateObjects: false })}`;
}

/** An object with its keys sorted, for label and annotation maps in generated output. */
export function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
