/**
 * Thrown when the router cannot start, or reload, because of its surroundings rather than its config
 * text: a file it cannot read, a port in use, a host it cannot resolve, a store it cannot open. It
 * names the file or the config field (with its line) to fix; `describeError` of it, with its
 * cause (the errno), is one line for a person, which the CLI prints without a stack before it exits 3
 * (I/O or network).
 */
export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartupError';
  }
}
