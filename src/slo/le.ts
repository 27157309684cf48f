/**
 * Formats a histogram bucket bound the way the Go client library writes the `le` label in the text
 * format (Go's strconv.FormatFloat(f, 'g', -1, 64)): "0.25", "1", "1e+06", "1e-05", "+Inf".
 */
export function formatLe(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  if (value === 0) return '0';
  const [mantissa = '', expText = '0'] = value.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

/**
 * Every spelling one bucket bound's `le` label has in the wild. A whole number below a million is "1" as the
 * Go client writes it in the text format, and "1.0" as Prometheus 3 stores every `le` (it normalises
 * them on ingestion, Go's formatting plus ".0": the 3.0 migration guide, "`le` and `quantile` label
 * values"), as Prometheus 2 stores them from a protobuf scrape, and as the Python and Java clients
 * write them. Any other bound is spelled one way by all of them ("0.25", "1e+06").
 */
export function leSpellings(value: number): string[] {
  const go = formatLe(value);
  return /^[-+]?\d+$/.test(go) ? [go, `${go}.0`] : [go];
}

/**
 * The label matcher a latency SLI selects its threshold's bucket with: `le="0.25"`, or, for a whole
 * number, `le=~"1(\\.0)?"`, which matches both spellings, so the SLI keeps its data across an upgrade
 * to Prometheus 3 and whatever client wrote the histogram.
 */
export function leMatcher(value: number): string {
  const [go, ...others] = leSpellings(value);
  return others.length === 0 ? `le="${go}"` : `le=~"${go}(\\\\.0)?"`;
}
