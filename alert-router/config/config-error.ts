import { formatProblem, sortProblems, type SpecProblem } from '../../src/slo/spec-error.js';

/** Thrown when the router's config is invalid; lists every problem with its file, line and field. */
export class ConfigError extends Error {
  readonly problems: SpecProblem[];

  constructor(problems: readonly SpecProblem[], options?: ErrorOptions) {
    const sorted = sortProblems(problems);
    super(
      `${sorted.length} problem${sorted.length === 1 ? '' : 's'} in router config:\n` + sorted.map((p) => `  ${formatProblem(p)}`).join('\n'),
      options,
    );
    this.name = 'ConfigError';
    this.problems = sorted;
  }
}
