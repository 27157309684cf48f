/** `--name N` from a benchmark's arguments: a positive integer, or `fallback` when the flag is absent. */
export function positiveIntFlag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${args[i + 1] ?? 'nothing'}`);
  return value;
}
