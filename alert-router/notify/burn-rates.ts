import { ANNOTATIONS } from '../../src/slo/conventions.js';

/** The burn rates a generated SLO alert carries, read back from its rendered description. */
export interface AlertBurnRates {
  /**
   * Window → burn rate (a multiple of the rate that spends the error budget exactly over the SLO
   * window), in the order the description lists them: `{ '1h': 15.8, '5m': 16.2, '6h': 3.1, '30m': 4 }`.
   */
  rates: Record<string, number>;
  /** The long window of the first tier the description marks FIRING, and its rate: how fast it burns. */
  firing?: { window: string; rate: number };
}

/** "1h 15.8×": a window and its rendered burn rate (generate-rules.ts prints `%.1f` then "×"). */
const WINDOW_RATE = /(?<![\w.])(\d+(?:ms|[smhdwy]))\s+(\d+(?:\.\d+)?)×/g;

/**
 * Burn rates from a generated burn-rate alert's `description` annotation, as Prometheus renders it:
 * one line per tier, "- 2% of the 30d budget in 1h (threshold 14.4×): 1h 15.8×, 5m 16.2×: FIRING".
 * The rules carry the rates nowhere else (not as labels). Windows without data render "n/a" and are
 * left out. Undefined when the alert lists no rates (a no-data alert, a hand-written rule).
 */
export function burnRatesOf(annotations: Record<string, string>): AlertBurnRates | undefined {
  const description = annotations[ANNOTATIONS.description];
  if (description === undefined) return undefined;
  const rates: Record<string, number> = {};
  let firing: AlertBurnRates['firing'];
  for (const line of description.split('\n')) {
    const found = [...line.matchAll(WINDOW_RATE)].map((m) => ({ window: m[1]!, rate: Number(m[2]) }));
    for (const { window, rate } of found) rates[window] ??= rate;
    const long = found[0];
    if (firing === undefined && long !== undefined && /:\s*FIRING\s*$/.test(line)) firing = long;
  }
  if (Object.keys(rates).length === 0) return undefined;
  return firing === undefined ? { rates } : { rates, firing };
}
