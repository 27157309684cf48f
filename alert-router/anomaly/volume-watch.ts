/**
 * Watches each service's alert volume and reports an unusual surge once: an early storm warning.
 * Per service it keeps an exponentially weighted rate of alerts per minute; a minute whose count is
 * improbable under a Poisson model of that rate (p below `pValue`) and at least `minAlerts` is a
 * surge. One warning per surge: the minutes of a surge that go on, however long, warn no more, and
 * the next warning needs `quietMinutes` without a surge first. State is plain versioned JSON so it
 * survives restarts; the minutes the router was down are not learnt as minutes without alerts.
 */
export interface VolumeWatchOptions {
  /** Half-life of the usual rate (minutes). */
  halfLifeMinutes: number;
  /** A minute this improbable under the usual rate is a surge. */
  pValue: number;
  /** Fewer alerts than this in a minute are never a surge. */
  minAlerts: number;
  /** A surge ends after this many minutes without one (minutes); only then can another be warned about. */
  quietMinutes: number;
  /** Minutes of history before a service can be warned about (its rate must be learnt first). */
  warmupMinutes: number;
  /** Services watched at most; the one that sent an alert longest ago is forgotten first (memory bound). */
  maxServices: number;
}

export const VOLUME_WATCH_DEFAULTS: VolumeWatchOptions = {
  halfLifeMinutes: 360,
  pValue: 1e-6,
  minAlerts: 10,
  quietMinutes: 60,
  warmupMinutes: 60,
  maxServices: 5000,
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
  /** The latest minute that was a surge (unix minutes), warned about or not. */
  lastSurgeMinute?: number;
}

/** Saved state; `version` changes whenever the meaning of a field does. */
export interface VolumeWatchState {
  kind: 'volume-watch';
  version: 1;
  services: Record<string, ServiceVolume>;
}

/** Why `state` cannot be restored, or undefined when it can. */
function stateProblem(state: unknown): string | undefined {
  if (state === null || typeof state !== 'object') return `not an object (${state === null ? 'null' : typeof state})`;
  const st = state as Partial<Record<keyof VolumeWatchState, unknown>>;
  if (st.kind !== 'volume-watch') return `kind is ${JSON.stringify(st.kind)}, not "volume-watch"`;
  if (st.version !== 1) return `version ${JSON.stringify(st.version)} is not 1`;
  if (st.services === null || typeof st.services !== 'object' || Array.isArray(st.services)) return 'services is not an object';
  for (const [name, v] of Object.entries(st.services)) {
    const sv = v as Partial<Record<keyof ServiceVolume, unknown>> | null;
    const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
    const int = (x: unknown) => Number.isSafeInteger(x);
    if (
      sv === null ||
      typeof sv !== 'object' ||
      !num(sv.rate) || (sv.rate as number) < 0 ||
      !num(sv.weight) || (sv.weight as number) < 0 || (sv.weight as number) > 1 ||
      !int(sv.minute) || !int(sv.firstMinute) || !int(sv.count) || (sv.count as number) < 0 ||
      (sv.lastSurgeMinute !== undefined && !int(sv.lastSurgeMinute))
    ) {
      return `services[${JSON.stringify(name)}] is not a valid service volume`;
    }
  }
  return undefined;
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
  /** In order of their last alert, oldest first (a Map keeps insertion order). */
  private readonly services = new Map<string, ServiceVolume>();
  /** Restored services whose next roll must not learn the minutes the router was down as empty. */
  private readonly resumed = new Set<ServiceVolume>();

  /** @throws RangeError naming what is wrong when `state` is not a valid saved state (see {@link restoreVolumeWatch}). */
  constructor(private readonly options: VolumeWatchOptions = VOLUME_WATCH_DEFAULTS, state?: VolumeWatchState) {
    if (state === undefined) return;
    const problem = stateProblem(state);
    if (problem !== undefined) throw new RangeError(`cannot restore the alert volume watch: ${problem}`);
    for (const [name, s] of Object.entries(state.services)) {
      const copy = { ...s };
      this.services.set(name, copy);
      this.resumed.add(copy);
    }
    this.evict();
  }

  /**
   * Counts `alerts` new alerts for `service` at `nowMs`; returns a warning the first time the
   * current minute becomes a surge, unless the service was already surging less than `quietMinutes` ago.
   */
  observe(service: string, alerts: number, nowMs: number): StormWarning | undefined {
    if (!(alerts > 0) || !Number.isFinite(alerts)) return undefined;
    const minute = Math.floor(nowMs / 60_000);
    let s = this.services.get(service);
    if (s) {
      this.services.delete(service);
    } else {
      s = { rate: 0, weight: 0, minute, count: 0, firstMinute: minute };
    }
    this.services.set(service, s);
    this.evict();
    if (minute > s.minute) this.roll(s, minute);
    s.count += alerts;
    if (minute - s.firstMinute < this.options.warmupMinutes) return undefined;
    if (s.count < this.options.minAlerts || s.lastSurgeMinute === minute) return undefined;
    const rate = s.weight > 0 ? s.rate / s.weight : 0;
    if (poissonUpperTailLog(s.count, rate) > Math.log(this.options.pValue)) return undefined;
    const surging = s.lastSurgeMinute !== undefined && minute - s.lastSurgeMinute <= this.options.quietMinutes;
    s.lastSurgeMinute = minute;
    if (surging) return undefined;
    const usual = rate < 0.1 ? rate.toFixed(2) : rate.toFixed(1);
    return {
      service,
      count: s.count,
      usualPerMinute: rate,
      message: `${service}: ${s.count} alerts in a minute, usually ${usual} a minute: an alert storm may be starting`,
    };
  }

  /** Number of services watched (at most `maxServices`). */
  get size(): number {
    return this.services.size;
  }

  private evict(): void {
    for (const name of this.services.keys()) {
      if (this.services.size <= this.options.maxServices) break;
      this.resumed.delete(this.services.get(name)!);
      this.services.delete(name);
    }
  }

  /** Folds finished minutes (including empty ones, unless the router was down then) into the usual rate. */
  private roll(s: ServiceVolume, minute: number): void {
    const decay = Math.pow(0.5, 1 / this.options.halfLifeMinutes);
    s.rate = s.rate * decay + s.count * (1 - decay);
    s.weight = s.weight * decay + (1 - decay);
    const empty = this.resumed.delete(s) ? 0 : Math.min(minute - s.minute - 1, 10 * this.options.halfLifeMinutes);
    if (empty > 0) {
      s.rate *= Math.pow(decay, empty);
      s.weight = 1 - (1 - s.weight) * Math.pow(decay, empty);
    }
    s.minute = minute;
    s.count = 0;
  }

  /**
   * The state to restore after a restart. The minutes up to `nowMs` without alerts are learnt first
   * (they were watched); the ones between this save and the restart will not be.
   */
  save(nowMs: number): VolumeWatchState {
    const minute = Math.floor(nowMs / 60_000);
    for (const s of this.services.values()) if (minute > s.minute) this.roll(s, minute);
    return { kind: 'volume-watch', version: 1, services: Object.fromEntries([...this.services].map(([k, v]) => [k, { ...v }])) };
  }
}

/**
 * A watch from saved state, or a fresh one with the reason when the state is corrupt or from another
 * version (the caller logs `problem`; the router starts without baselines rather than failing to start).
 */
export function restoreVolumeWatch(state: unknown, options: VolumeWatchOptions = VOLUME_WATCH_DEFAULTS): { watch: VolumeWatch; problem?: string } {
  try {
    return { watch: new VolumeWatch(options, state as VolumeWatchState) };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return { watch: new VolumeWatch(options), problem: `${error.message}; starting without alert volume baselines` };
  }
}
