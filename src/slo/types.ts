/**
 * The SLO model as users write it (`*Input`) and as the generators consume it (resolved types).
 * Users write input through `defineService`; `resolveServices` validates and fills defaults.
 */

/** PromQL with a window: a function of the window (`(w) => \`rate(x[${w}])\``) or text with `{{.window}}`. */
export type WindowedQuery = string | ((window: string) => string);

/** Events ratio: errors (or good) over total, each a PromQL expression over a range window. */
export interface RatioSliInput {
  kind: 'ratio';
  /** Bad events per second over the window. Give this or `good`. */
  errors?: WindowedQuery;
  /** Good events per second over the window. Give this or `errors`. */
  good?: WindowedQuery;
  /** All events per second over the window. */
  total: WindowedQuery;
}

/** Latency against a classic Prometheus histogram: good = requests at or under `threshold` seconds. */
export interface LatencySliInput {
  kind: 'latency';
  /** Histogram base name, without `_bucket` / `_count` (e.g. `http_request_duration_seconds`). */
  metric: string;
  /** Label matchers inside braces or without them, e.g. `job="checkout", route!="/healthz"`. */
  selector?: string;
  /**
   * Threshold in seconds. Must be a bucket boundary; as text it must be written the way Prometheus
   * writes the `le` label (`"0.25"`, not `"0.250"`).
   */
  threshold: number | string;
}

/** A PromQL expression that already is an error ratio (0..1) over the window. Time-weighted over long windows. */
export interface RawSliInput {
  kind: 'raw';
  errorRatio: WindowedQuery;
}

/** A 0/1 gauge (`up`, `probe_success`): availability is the fraction of samples at 1. */
export interface BoolGaugeSliInput {
  kind: 'boolGauge';
  /** An instant-vector selector, e.g. `probe_success{job="blackbox", instance="https://shop.example"}`. */
  selector: string;
}

export type SliInput = RatioSliInput | LatencySliInput | RawSliInput | BoolGaugeSliInput;

/** Options of one alert severity (page or ticket). */
export interface AlertOptionsInput {
  /** Turns this severity's alert off. */
  disable?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A multiwindow burn-rate tier: fire when `budgetPercent` of the budget would be spent in `long`. */
export interface BurnTierInput {
  severity: 'page' | 'ticket';
  /** Share of the whole window's error budget, in percent, spent within `long` at the threshold burn. */
  budgetPercent: number;
  /** Long window (Prometheus duration). */
  long: string;
  /** Short window that must agree, so the alert resets quickly once the burn stops. */
  short: string;
}

export interface AlertingInput {
  page?: AlertOptionsInput;
  ticket?: AlertOptionsInput;
  /** Replaces the default tiers (Google SRE workbook's, scaled to the SLO window). */
  tiers?: BurnTierInput[];
  /** Alert when the SLI has had no data this long (default 15m); `false` turns it off. */
  noData?: { for?: string; disable?: boolean };
}

export interface SloInput {
  /** Unique within the service; lower-case letters, digits and dashes. */
  name: string;
  description?: string;
  /** Target in percent, 0 < objective < 100 (e.g. 99.9). */
  objective: number;
  /** Compliance window, 1d to 90d. Default 30d. */
  window?: string;
  sli: SliInput;
  labels?: Record<string, string>;
  runbookUrl?: string;
  alerting?: AlertingInput;
}

export interface OwnerInput {
  team: string;
  /** Slack channel for tickets, e.g. `#checkout-oncall`. */
  slack?: string;
  /** PagerDuty service (name or id) that pages go to. */
  pagerduty?: string;
}

export interface ServiceInput {
  /** Lower-case letters, digits and dashes. */
  name: string;
  description: string;
  owner: OwnerInput;
  /** Names of services this one depends on (used to correlate and suppress alerts). */
  dependsOn?: string[];
  labels?: Record<string, string>;
  slos: SloInput[];
}

// ---------------------------------------------------------------------------------------------
// Resolved model

/** An SLI as events: error and total rates over a window. Ratio, latency and bool-gauge SLIs resolve to this. */
export interface EventsSli {
  kind: 'events';
  source: 'ratio' | 'latency' | 'boolGauge';
  /** Bad events per second over `window`; aggregated to a single series. */
  errors: (window: string) => string;
  /** All events per second over `window`; aggregated to a single series. */
  total: (window: string) => string;
  /** A latency SLI's threshold bucket, which the rules check every selected series has. */
  thresholdBucket?: ThresholdBucket;
}

/** The histogram bucket a latency SLI counts its fast requests in. */
export interface ThresholdBucket {
  /** The classic histogram's base name, e.g. `http_request_duration_seconds`. */
  metric: string;
  /** Every spelling of the threshold's `le` label the SLI matches, the Go client's first: `["0.3"]`, `["1", "1.0"]`. */
  le: string[];
  /** Instant vector of the selected `_count` series that have no threshold bucket, one element per series. */
  missing: string;
}

/** An SLI given as a ratio only: long windows are time-weighted (no event counts exist). */
export interface RatioOnlySli {
  kind: 'raw';
  errorRatio: (window: string) => string;
}

export type Sli = EventsSli | RatioOnlySli;

export interface BurnTier {
  severity: 'page' | 'ticket';
  budgetPercent: number;
  long: string;
  longMs: number;
  short: string;
  shortMs: number;
  /** Burn-rate factor: budget share × SLO window ÷ long window (14.4 for 2% of 30d in 1h). */
  factor: number;
}

export interface AlertOptions {
  disable: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Slo {
  /** `<service>-<name>`: unique across all services. */
  id: string;
  service: string;
  name: string;
  description: string;
  /** Percent, e.g. 99.9. */
  objective: number;
  /** Error budget as a ratio, e.g. 0.001 for 99.9. */
  errorBudget: number;
  window: string;
  windowMs: number;
  sli: Sli;
  labels: Record<string, string>;
  runbookUrl?: string;
  page: AlertOptions;
  ticket: AlertOptions;
  tiers: BurnTier[];
  noData: { disable: boolean; for: string };
}

export interface Service {
  name: string;
  description: string;
  owner: OwnerInput;
  dependsOn: string[];
  labels: Record<string, string>;
  slos: Slo[];
  /** Source file, for messages and generated headers. */
  file: string;
}
