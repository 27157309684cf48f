/** One problem found in an SLO definition, located well enough for a person to fix it. */
export interface SpecProblem {
  /** File the definition came from (relative to the working directory when known). */
  file: string;
  /** Field path inside the file's default export, e.g. `slos[1].objective`. */
  path: string;
  message: string;
  /** 1-based line in `file` when it could be located. */
  line?: number;
  column?: number;
}

/** Formats a problem as `file:line:column: path: message`, the shape editors and CI annotate. */
export function formatProblem(p: SpecProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}${p.column === undefined ? '' : `:${p.column}`}`;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** Sorts problems by file, then position, then path, so output is stable and reads top to bottom. */
export function sortProblems(problems: readonly SpecProblem[]): SpecProblem[] {
  return [...problems].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.path.localeCompare(b.path) ||
      a.message.localeCompare(b.message),
  );
}

/** Thrown when SLO definitions are invalid; carries every problem found, not only the first. */
export class SpecError extends Error {
  readonly problems: SpecProblem[];

  constructor(problems: readonly SpecProblem[], options?: ErrorOptions) {
    const sorted = sortProblems(problems);
    super(
      `${sorted.length} problem${sorted.length === 1 ? '' : 's'} in SLO definitions:\n` +
        sorted.map((p) => `  ${formatProblem(p)}`).join('\n'),
      options,
    );
    this.name = 'SpecError';
    this.problems = sorted;
  }
}

/**
 * An error and its causes as one line, `outer: inner: innermost`, for a person: no stack, and no
 * message repeated (a wrapper that quotes its cause is not followed by the cause again).
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    if (!parts.some((p) => p.includes(message))) parts.push(message);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}
