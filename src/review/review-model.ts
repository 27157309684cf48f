/**
 * The review model: everything the Markdown and HTML renderers show, computed before rendering.
 * Times are epoch milliseconds; ratios are 0..1 (renderers turn them into percent).
 */
import type { ReviewPeriod } from './review-period.js';

/** Events of one time bucket `[startMs, startMs + step)`: errors and all events (a raw SLI: ratio and 1). */
export interface Bucket {
  startMs: number;
  errors: number;
  total: number;
}

/** met: budget left; at risk: more than {@link AT_RISK_SPENT} of it spent; missed: the objective was not met. */
export type SloStatus = 'met' | 'at risk' | 'missed' | 'no data';

/**
 * What the review calls an SLO over a period: its status, or `too little held` when the period has
 * SLI data for under {@link MIN_COVERAGE} of its hours (a verdict on a few days of a month would
 * judge the month on them): attainment and budget are still shown, over what is held, but it is
 * neither met nor missed.
 */
export type Verdict = SloStatus | 'too little held';

/** Share of the budget spent from which a met SLO counts as at risk. */
export const AT_RISK_SPENT = 0.75;

/**
 * Share of a period's hours with SLI data below which the period is partial: not counted in the
 * three-period history (as met or as missed), as the previous period too little to compare with
 * (no change, no verdict), and as the reviewed period too little held to judge (no verdict).
 * Usually a period that begins before Prometheus's retention is.
 */
export const MIN_COVERAGE = 0.9;

export interface PeriodSummary {
  period: ReviewPeriod;
  errors: number;
  total: number;
  /** 1 − errors ÷ total, event-weighted; undefined without data. */
  attainment: number | undefined;
  /** Share of the period's error budget spent: errors ÷ (budget × total). Over 1 when missed. */
  budgetSpent: number | undefined;
  /** 1 − budgetSpent (negative when overspent). */
  budgetLeft: number | undefined;
  status: SloStatus;
  hoursWithData: number;
  hours: number;
  /**
   * Hours without data before the first hour Prometheus's retention still holds: gone, not gaps.
   * The numbers cover the other hours (the held part). 0 when retention covers the period or is unknown.
   */
  hoursBeforeRetention: number;
}

export interface DayStat {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  startMs: number;
  errors: number;
  total: number;
  /** Errors ÷ total that day; undefined for a day without data. */
  errorRatio: number | undefined;
  /**
   * A day without data that ends before Prometheus's retention begins: gone, not a gap. A day the
   * boundary falls inside is held in part, so one without data has a gap and is not this.
   */
  beforeRetention: boolean;
  /** Share of the period's budget spent that day. */
  budgetSpent: number;
  /** Budget left at the end of the day (1 − cumulative spent). */
  budgetLeftAfter: number;
}

/** A stretch of hours with no SLI data. */
export interface DataGap {
  startMs: number;
  endMs: number;
}

/** An incident of the alert-router that belongs to the SLO, with what the SLI says about it. */
export interface IncidentReview {
  id: string;
  title: string;
  severity: 'page' | 'ticket';
  openedAtMs: number;
  resolvedAtMs: number | undefined;
  /** Opened to resolved, or to the period's end when it was still open then. */
  durationMs: number;
  /** Still open at the period's end (unresolved, or resolved after it): the duration is a lower bound. */
  openAtPeriodEnd: boolean;
  /** Share of the period's budget spent from the burn's start to the resolve, inside the period. */
  budgetSpent: number;
  /**
   * The same from the burn's start to the resolve wherever they fall, before or after the period:
   * what the incident cost, which its page is judged on. Undefined while it is unresolved.
   */
  wholeBudgetSpent: number | undefined;
  /** A PagerDuty trigger was sent. */
  paged: boolean;
  firstNotificationAtMs: number | undefined;
  /** Start of the burn (5m error ratio above the budget) that led to the first notification. */
  burnStartMs: number | undefined;
  /** First notification − burn start. */
  timeToDetectMs: number | undefined;
  /**
   * Where Prometheus's retention begins, when the incident's burn reaches back to it (it opened
   * before it, or its SLI was burning from the first hour held): the start of its burn is no longer
   * held, so `burnStartMs`, `timeToDetectMs` and `wholeBudgetSpent` are unknown and `budgetSpent`
   * counts the held hours only. Undefined when its burn is held whole (or retention is unknown).
   */
  sliHeldFromMs: number | undefined;
}

/** A burn worth a page (5% of the budget within 6h, the slow page tier's rate) during which nothing paged. */
export interface UnpagedBurn {
  startMs: number;
  endMs: number;
  budgetSpent: number;
}

export interface AlertQuality {
  /** Pages whose incident spent under 1% of the budget (one whose burn is not held is not judged). */
  noisePages: IncidentReview[];
  /** Found in the SLI Prometheus holds: none before its retention begins. */
  unpagedBurns: UnpagedBurn[];
}

export type RecommendationKind = 'tighten' | 'improve-or-loosen' | 'data-gaps' | 'noisy-pages' | 'missed-pages' | 'rules-not-loaded';

export interface Recommendation {
  kind: RecommendationKind;
  /** What to do. */
  action: string;
  /** Why, with the numbers. */
  reason: string;
}

export interface SloInfo {
  id: string;
  service: string;
  name: string;
  description: string;
  team: string;
  /** Percent, e.g. 99.9. */
  objective: number;
  /** Ratio, e.g. 0.001. */
  errorBudget: number;
  window: string;
  sliKind: 'ratio' | 'latency' | 'boolGauge' | 'raw';
  /** Events for events SLIs; a raw SLI is time-weighted (no event counts exist). */
  weighting: 'events' | 'time';
  /** The SLO's page alerts are turned off (`alerting.page.disable`). */
  pagesDisabled: boolean;
}

export interface SloReview {
  slo: SloInfo;
  current: PeriodSummary;
  previous: PeriodSummary;
  /** Current first, then up to two earlier periods of the same length. */
  history: PeriodSummary[];
  days: DayStat[];
  /** Up to three days that spent the most budget (and spent any). */
  worstDays: DayStat[];
  gaps: DataGap[];
  /** Undefined when no alert-router URL was given. */
  incidents: IncidentReview[] | undefined;
  alertQuality: AlertQuality | undefined;
  recommendations: Recommendation[];
  warnings: string[];
}

/** Where Prometheus's retention begins for the whole review; undefined in {@link Review} when it could not be learnt. */
export interface RetentionStart {
  /** The first whole hour Prometheus is sure to hold (epoch ms). */
  heldFromMs: number;
  /** Its retention time as Prometheus prints it, e.g. `15d`. */
  time: string;
}

/**
 * Where the alert-router's incidents begin for the whole review: before it, its `store.retention`
 * deleted the resolved ones. Undefined in {@link Review} when it holds all it received, did not say,
 * or was not read.
 */
export interface RouterRetentionStart {
  /** The first whole hour from which the router holds every incident resolved (epoch ms). */
  heldFromMs: number;
  /** Its `store.retention` as it names it, e.g. `90d`. */
  store: string;
}

export interface TeamSection {
  team: string;
  sloIds: string[];
}

export interface Review {
  period: ReviewPeriod;
  previous: ReviewPeriod;
  /**
   * Sorted by budget left, least first: the SLOs with a verdict, then those too little held to judge,
   * then those without data.
   */
  slos: SloReview[];
  teams: TeamSection[];
  /** Whether incidents were read from an alert-router. */
  withIncidents: boolean;
  /** Undefined when Prometheus did not say (every hour without data is then a gap). */
  retention: RetentionStart | undefined;
  routerRetention: RouterRetentionStart | undefined;
  warnings: string[];
}
