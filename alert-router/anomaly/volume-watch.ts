/**
 * Watches each service's alert volume and reports an unusual surge once: an early storm warning.
 * Per service it keeps an exponentially weighted rate of alerts per minute; a minute whose count is
 * improbable under a Poisson model of that rate (p below `pValue`) and at least `minAlerts` is a
 * surge. One warning per service per `quietMinutes`. State is plain JSON so it survives restarts.
 */
export interface VolumeWatchOptions {
  /** Half-life of the usual rate (minutes). */
  halfLifeMinutes: number;
  /** A minute this improbable under the usual rate is a surge. */
  pValue: number;
  /** Fewer alerts than this in a minute are never a surge. */
  minAlerts: number;
  /** After a warning, no other for this service for this long (minutes). */
  quietMinutes: number;
  /** Minutes of history before a service can be warned about (its rate must be learnt first). */
  warmupMinutes: number;
}

export const VOLUME_WATCH_DEFAULTS: VolumeWatchOptions = {
  halfLifeMinutes: 360,
  pValue: 1e-6,
  minAlerts: 10,
  quietMinutes: 60,
  warmupMinutes: 60,
};

interface ServiceVolume {
  /** Exponentially weighted alerts per minute, not yet corrected for its start at 0. */
  rate: number;
  /** 1 − decay^minutes: divides `rate` to remove the bias of starting at 0. */
  weight: number;
  /** The minute being counted (unix minutes) and its count so far. */
  minute: number;
  count: number;
  firstMinute: number;
  warnedAt: number | undefined;
}

export interface VolumeWatchState {
  kind: 'volume-watch';
  services: Record<string, ServiceVolume>;
}

export interface StormWarning {
  service: string;
  count: number;
  usualPerMinute: number;
  /** "checkout: 42 alerts in a minute, usually 0.3 a minute: an alert storm may be starting". */
  message: string;
}

/** log P(X ≥ k) for X ~ Poisson(λ), summed in log space so large k does not underflow. */
export function poissonUpperTailLog(k: number, lambda: number): number {
  if (k <= 0) return 0;
  const lam = Math.max(lambda, 1e-9);
  // log P(X = k), then add terms k, k+1, ... until they no longer matter.
  let logTerm = -lam + k * Math.log(lam) - logFactorial(k);
  let logSum = logTerm;
  for (let i = k + 1; i < k + 1000; i++) {
    logTerm += Math.log(lam) - Math.log(i);
    const next = logSum + Math.log1p(Math.exp(logTerm - logSum));
    if (next - logSum < 1e-12) break;
    logSum = next;
  }
  return Math.min(0, logSum);
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

export class VolumeWatch {
  private readonly services = new Map<string, ServiceVolume>();

  constructor(private readonly options: VolumeWatchOptions = VOLUME_WATCH_DEFAULTS, state?: VolumeWatchState) {
    for (const [name, s] of Object.entries(state?.services ?? {})) this.services.set(name, { ...s });
  }

  /**
   * Counts `alerts` new alerts for `service` at `nowMs`; returns a warning the first time the
   * current minute becomes a surge.
   */
  observe(service: string, alerts: number, nowMs: number): StormWarning | undefined {
    const minute = Math.floor(nowMs / 60_000);
    let s = this.services.get(service);
    if (!s) {
      s = { rate: 0, weight: 0, minute, count: 0, firstMinute: minute, warnedAt: undefined };
      this.services.set(service, s);
    }
    if (minute > s.minute) this.roll(s, minute);
    const before = s.count;
    s.count += alerts;
    if (minute - s.firstMinute < this.options.warmupMinutes) return undefined;
    if (s.count < this.options.minAlerts || before >= s.count) return undefined;
    if (s.warnedAt !== undefined && minute - s.warnedAt < this.options.quietMinutes) return undefined;
    const rate = s.weight > 0 ? s.rate / s.weight : 0;
    if (poissonUpperTailLog(s.count, rate) > Math.log(this.options.pValue)) return undefined;
    s.warnedAt = minute;
    const usual = rate < 0.1 ? rate.toFixed(2) : rate.toFixed(1);
    return {
      service,
      count: s.count,
      usualPerMinute: rate,
      message: `${service}: ${s.count} alerts in a minute, usually ${usual} a minute: an alert storm may be starting`,
    };
  }

  /** Folds finished minutes (including empty ones) into the usual rate. */
  private roll(s: ServiceVolume, minute: number): void {
    const decay = Math.pow(0.5, 1 / this.options.halfLifeMinutes);
    s.rate = s.rate * decay + s.count * (1 - decay);
    s.weight = s.weight * decay + (1 - decay);
    const empty = Math.min(minute - s.minute - 1, 10 * this.options.halfLifeMinutes);
    if (empty > 0) {
      s.rate *= Math.pow(decay, empty);
      s.weight = 1 - (1 - s.weight) * Math.pow(decay, empty);
    }
    s.minute = minute;
    s.count = 0;
  }

  save(): VolumeWatchState {
    return { kind: 'volume-watch', services: Object.fromEntries([...this.services].map(([k, v]) => [k, { ...v }])) };
  }
}
