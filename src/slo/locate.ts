/**
 * Best-effort line numbers for problems in TypeScript SLO files. The files are code, not data, so
 * there is no parse tree to ask; instead this finds the SLO by its `name:` literal and the field
 * after it. When nothing is found the problem keeps its field path, which is always exact.
 */
export function locateField(source: string, path: string): { line: number; column: number } | undefined {
  const lines = source.split('\n');
  const parts = path.match(/[A-Za-z_$][\w$]*|\[\d+\]/g) ?? [];
  let from = 0;
  const sloIndex = path.match(/^slos\[(\d+)\]/);
  if (sloIndex) {
    // The n-th `name:` after `slos:` is the SLO's name line (SLO objects put name first by convention).
    const slosLine = lines.findIndex((l) => /\bslos\s*:/.test(l));
    if (slosLine < 0) return undefined;
    let seen = -1;
    from = -1;
    for (let i = slosLine; i < lines.length; i++) {
      if (/\bname\s*:/.test(lines[i] ?? '') && ++seen === Number(sloIndex[1])) {
        from = i;
        break;
      }
    }
    if (from < 0) return undefined;
  }
  const fields = parts.filter((p) => !p.startsWith('[') && p !== 'slos');
  const target = fields.at(-1);
  if (target === undefined) return { line: from + 1, column: 1 };
  const re = new RegExp(`\\b${target}\\s*[:(]`);
  const stop = sloIndex ? Math.min(lines.length, from + 80) : lines.length;
  for (let i = from; i < stop; i++) {
    const col = (lines[i] ?? '').search(re);
    if (col >= 0) return { line: i + 1, column: col + 1 };
  }
  return sloIndex ? { line: from + 1, column: 1 } : undefined;
}
