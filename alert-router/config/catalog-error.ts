import { formatProblem, sortProblems, type SpecProblem } from '../../src/slo/spec-error.js';

/**
 * Thrown when the catalog exists but is not a slokit catalog: not JSON (with the line and column), or
 * entries that lack or mistype a field (with the entry's path, e.g. `services[0].name`, and line).
 */
export class CatalogError extends Error {
  readonly problems: SpecProblem[];

  constructor(problems: readonly SpecProblem[], options?: ErrorOptions) {
    const sorted = sortProblems(problems);
    const lines = sorted.map((p) => `catalog ${formatProblem(p)}`);
    super(
      sorted.length === 1
        ? `${lines[0]} (run npm run generate)`
        : `${sorted.length} problems in the catalog (run npm run generate):\n${lines.map((l) => `  ${l}`).join('\n')}`,
      options,
    );
    this.name = 'CatalogError';
    this.problems = sorted;
  }
}
