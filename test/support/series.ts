/**
 * Builders of promtool input series: counters from per-minute traffic phases, written in
 * promtool's expanding notation (`a+bxn`), so days of 1-minute samples stay a short string.
 */

/** A stretch of constant traffic: `minutes` long, `perMinute` events a minute, a share of them errors. */
export interface Phase {
  minutes: number;
  perMinute: number;
  errorRatio: number;
}

/** Values of a counter that grows by `increments[i]` in phase i, one sample a minute from 0. */
function counterValues(phases: readonly Phase[], increment: (p: Phase) => number): string {
  const tokens: string[] = [];
  let value = 0;
  phases.forEach((phase, i) => {
    const step = increment(phase);
    if (phase.minutes <= 0) return;
    if (i === 0) {
      tokens.push(`${fmt(value)}+${fmt(step)}x${phase.minutes}`);
      value += step * phase.minutes;
    } else {
      const first = value + step;
      tokens.push(phase.minutes === 1 ? fmt(first) : `${fmt(first)}+${fmt(step)}x${phase.minutes - 1}`);
      value += step * phase.minutes;
    }
  });
  return tokens.join(' ');
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** Two counters, `code="500"` (errors) and `code="200"` (the rest), for a ratio SLI over `metric`. */
export function requestSeries(metric: string, labels: string, phases: readonly Phase[]) {
  return [
    { series: `${metric}{${labels}, code="500"}`, values: counterValues(phases, (p) => p.perMinute * p.errorRatio) },
    { series: `${metric}{${labels}, code="200"}`, values: counterValues(phases, (p) => p.perMinute * (1 - p.errorRatio)) },
  ];
}

/**
 * A classic histogram where a share `errorRatio` of requests is slower than `threshold`: those land
 * above it, the rest in the threshold's bucket.
 */
export function latencySeries(metric: string, labels: string, bounds: readonly string[], threshold: string, phases: readonly Phase[]) {
  const idx = bounds.indexOf(threshold);
  const out = bounds.map((le, i) => ({
    series: `${metric}_bucket{${labels}, le="${le}"}`,
    values: counterValues(phases, (p) => (i >= idx ? (i === bounds.length - 1 ? p.perMinute : p.perMinute * (1 - p.errorRatio)) : 0)),
  }));
  out.push({ series: `${metric}_count{${labels}}`, values: counterValues(phases, (p) => p.perMinute) });
  return out;
}

/** A 0/1 gauge: 1 (success) except in phases with errorRatio 1, one sample a minute. */
export function boolSeries(series: string, phases: readonly Phase[]) {
  const tokens = phases.filter((p) => p.minutes > 0).map((p, i) => `${p.errorRatio >= 1 ? 0 : 1}x${i === 0 ? p.minutes : p.minutes - 1}`);
  return [{ series, values: tokens.join(' ') }];
}

/** Exact error ratio of phases: errors ÷ events, as the raw counters count them. */
export function trueErrorRatio(phases: readonly Phase[]): number {
  let errors = 0;
  let total = 0;
  for (const p of phases) {
    errors += p.perMinute * p.errorRatio * p.minutes;
    total += p.perMinute * p.minutes;
  }
  return errors / total;
}

/** Time-weighted mean of the per-minute error ratios: what a mean of short-window ratios measures. */
export function meanOfRatios(phases: readonly Phase[]): number {
  let sum = 0;
  let minutes = 0;
  for (const p of phases) {
    sum += (p.perMinute > 0 ? p.errorRatio : 0) * p.minutes;
    minutes += p.minutes;
  }
  return sum / minutes;
}
