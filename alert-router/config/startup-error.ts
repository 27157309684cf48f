/**
 * Thrown when the router cannot start, or reload, because of its surroundings rather than its config
 * text: a file it cannot read, a port in use, a host it cannot resolve, a store it cannot open. It
 * names the file or the config field (with its line) to fix; {@link describeError} of it, with its
 * cause (the errno), is one line for a person, which the CLI prints without a stack before it exits 3
 * (I/O or network).
 */
export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** An error and its causes as one line, `outer: inner: innermost`, repeating no message. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    if (!parts.some((p) => p.includes(message))) parts.push(message);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}
