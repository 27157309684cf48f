/**
 * Formats a histogram bucket bound the way Prometheus client libraries write the `le` label
 * (Go's strconv.FormatFloat(f, 'g', -1, 64)): "0.25", "1", "1e+06", "1e-05", "+Inf".
 * A latency SLI selects `le="<this>"` exactly, so any other spelling matches no series.
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
