import { groupName, type Service, type Slo } from '../slo/index.js';
import { alertQuality } from './alert-quality.js';
import { analyseIncident, type RouterIncident } from './incident-analysis.js';
import type { PrometheusClient } from './prometheus-client.js';
import { recommend } from './recommendations.js';
import { NoDataError } from './review-errors.js';
import type { Bucket, IncidentReview, Review, RetentionStart, RouterRetentionStart, SloInfo, SloReview, TeamSection } from './review-model.js';
import { DAY_MS, HOUR_MS, formatDate, previousPeriod, type ReviewPeriod } from './review-period.js';
import { retentionFrom } from './retention.js';
import { laterRetention, type RouterClient, type RouterRetention } from './router-client.js';
import { dateTime, unpagedSince } from './format.js';
import { sliBuckets } from './sli-buckets.js';
import { dailyStats, dataGaps, summarizePeriod, verdictOf, worstDays } from './summarize.js';

export interface CollectDeps {
  prometheus: PrometheusClient;
  /** Without it the review has no incidents and no alert-quality section. */
  router?: RouterClient;
  /** Epoch ms: where Prometheus's retention begins is now − its retention time. */
  nowMs: number;
}

/** Resolution of the series around an incident, for the burn's start and the budget it spent. */
const INCIDENT_STEP_MS = 5 * 60_000;
/** How far before an incident's opening its burn may have started. */
const INCIDENT_LOOKBACK_MS = 6 * HOUR_MS;
const GROUP_PREFIX = groupName('');
/** Periods compared for recommendations: this one and two before it. */
const HISTORY_PERIODS = 3;

/**
 * Builds the review of `period` for every SLO of `services` from Prometheus's HTTP API (and the
 * alert-router's incidents when given). Reads hourly event counts of each SLO's SLI over this period
 * and the two before it; everything else is computed from those and the incidents.
 * Hours without data before Prometheus's retention begins are told apart from gaps; when Prometheus
 * does not say where that is, every hour without data is a gap, with one warning saying so.
 * Throws {@link NoDataError} when no SLO has any data in the period.
 */
export async function collectReview(services: readonly Service[], period: ReviewPeriod, deps: CollectDeps): Promise<Review> {
  const loaded = await loadedSloIds(deps.prometheus);
  const warnings: string[] = [];
  let retention: RetentionStart | undefined;
  try {
    const learnt = retentionFrom(await deps.prometheus.storageRetention(), deps.nowMs);
    retention = { heldFromMs: learnt.heldFromMs, time: learnt.time };
    if (learnt.size !== undefined) {
      warnings.push(
        `Prometheus also limits its storage to ${learnt.size}: hours without data after ${dateTime(learnt.heldFromMs)} count as gaps, though that limit may have dropped them`,
      );
    }
  } catch (err) {
    // A review without the boundary is still right about every hour it has; it only names more gaps.
    warnings.push(
      `could not learn where Prometheus's retention begins (${err instanceof Error ? err.message : String(err)}): every hour without SLI data counts as a gap`,
    );
  }
  const history = Array.from({ length: HISTORY_PERIODS }, (_, i) => (i === 0 ? period : previousPeriod(period, i)));
  const earliest = history[history.length - 1]!.startMs;
  const range = { from: formatDate(period.startMs), to: formatDate(period.endMs - DAY_MS) };
  const fromRouter = deps.router === undefined ? undefined : await readRouter(deps.router, services, period, warnings);
  const routerRetention = fromRouter?.retention;
  const reviews: SloReview[] = [];
  for (const service of services) {
    for (const slo of service.slos) {
      const incidents = fromRouter?.incidents.get(service.name);
      const review = await reviewSlo(service, slo, period, history, earliest, loaded.has(slo.id), incidents, deps, retention, routerRetention);
      if (review.current.status === 'no data') {
        const gone = retention !== undefined && review.current.hoursBeforeRetention === review.current.hours;
        review.warnings.push(
          `no SLI data for ${slo.id} between ${range.from} and ${range.to}${gone ? `: the whole period is before Prometheus's retention (since ${dateTime(retention!.heldFromMs)})` : ''}`,
        );
      }
      warnings.push(...review.warnings);
      reviews.push(review);
    }
  }
  if (reviews.length > 0 && reviews.every((r) => r.current.status === 'no data')) {
    throw new NoDataError(range, reviews.map((r) => r.slo.id).sort());
  }
  // An SLO too little held to judge goes after those with a verdict: its budget left is of a few
  // days, and at the top of the list it would read as the most pressing of the period.
  const rank = (r: SloReview) => {
    const verdict = verdictOf(r.current);
    return verdict === 'no data' ? 2 : verdict === 'too little held' ? 1 : 0;
  };
  reviews.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.current.budgetLeft ?? Infinity) - (b.current.budgetLeft ?? Infinity) ||
      a.slo.id.localeCompare(b.slo.id),
  );
  const teams = new Map<string, string[]>();
  for (const r of reviews) teams.set(r.slo.team, [...(teams.get(r.slo.team) ?? []), r.slo.id]);
  const teamSections: TeamSection[] = [...teams]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([team, sloIds]) => ({ team, sloIds }));
  return {
    period,
    previous: previousPeriod(period),
    slos: reviews,
    teams: teamSections,
    withIncidents: deps.router !== undefined,
    retention,
    routerRetention,
    warnings: [...warnings].sort(),
  };
}

/**
 * Every service's incidents open in the period (opened up to one previous period before it: a long
 * incident that spans the start counts), and where the router's incidents begin: the latest any
 * answer gave (each holds from when it was answered), undefined when it holds all it received. A
 * router that does not say (a build from before it did) is warned of once, and every burn with no
 * page is looked for as before.
 */
async function readRouter(
  router: RouterClient,
  services: readonly Service[],
  period: ReviewPeriod,
  warnings: string[],
): Promise<{ incidents: Map<string, RouterIncident[]>; retention: RouterRetentionStart | undefined }> {
  const incidents = new Map<string, RouterIncident[]>();
  let said: RouterRetention | undefined;
  let unsaid = false;
  for (const service of services) {
    const answer = await router.incidents(service.name, period.startMs, period.endMs, previousPeriod(period).startMs);
    incidents.set(service.name, answer.incidents);
    if (answer.retention === undefined) unsaid = true;
    else said = laterRetention(said, answer.retention);
  }
  if (unsaid) {
    warnings.push(
      `the alert-router at ${router.url} does not say from when it holds its incidents (a build from before its incident list gave "retention"): ` +
        'burns with no page are looked for over the whole period, though its store.retention may have deleted the incidents that paged for them',
    );
  }
  const sinceMs = unsaid ? undefined : said?.keepsResolvedSinceMs;
  // Rounded up to the hour, as the SLI's hours are: a burn is looked for from the first hour the router holds whole.
  return { incidents, retention: sinceMs === undefined ? undefined : { heldFromMs: Math.ceil(sinceMs / HOUR_MS) * HOUR_MS, store: said!.store } };
}

async function reviewSlo(
  service: Service,
  slo: Slo,
  period: ReviewPeriod,
  history: readonly ReviewPeriod[],
  earliest: number,
  rulesLoaded: boolean,
  routerIncidents: readonly RouterIncident[] | undefined,
  deps: CollectDeps,
  retention: RetentionStart | undefined,
  routerRetention: RouterRetentionStart | undefined,
): Promise<SloReview> {
  const info: SloInfo = {
    id: slo.id,
    service: slo.service,
    name: slo.name,
    description: slo.description,
    team: service.owner.team,
    objective: slo.objective,
    errorBudget: slo.errorBudget,
    window: slo.window,
    sliKind: slo.sli.kind === 'raw' ? 'raw' : slo.sli.source,
    weighting: slo.sli.kind === 'raw' ? 'time' : 'events',
    pagesDisabled: slo.page.disable,
  };
  let hours: Bucket[];
  try {
    hours = await sliBuckets(deps.prometheus, slo, earliest, period.endMs, HOUR_MS);
  } catch (cause) {
    throw new Error(`could not read the SLI of ${slo.id}`, { cause });
  }
  const heldFromMs = retention?.heldFromMs ?? -Infinity;
  const summaries = history.map((p) => summarizePeriod(hours, p, slo.errorBudget, heldFromMs));
  const current = summaries[0]!;
  const days = dailyStats(hours, period, slo.errorBudget, heldFromMs);
  const gaps = current.status === 'no data' ? [] : dataGaps(hours, period, heldFromMs);
  const budgetEvents = slo.errorBudget * current.total;
  const warnings: string[] = [];
  if (!rulesLoaded) warnings.push(`the rules of ${slo.id} are not loaded in Prometheus (no rule group or rule for it in /api/v1/rules): its alerts cannot fire`);

  let incidents: IncidentReview[] | undefined;
  if (routerIncidents !== undefined) {
    incidents = [];
    const mine = routerIncidents.filter((i) => i.slo === slo.name);
    for (const incident of mine) {
      // To the resolve even after the period's end: the page is judged on the whole incident.
      const from = Math.floor((incident.openedAtMs - INCIDENT_LOOKBACK_MS) / INCIDENT_STEP_MS) * INCIDENT_STEP_MS;
      const to = Math.ceil((incident.resolvedAtMs ?? period.endMs) / INCIDENT_STEP_MS) * INCIDENT_STEP_MS;
      const buckets = await sliBuckets(deps.prometheus, slo, from, to, INCIDENT_STEP_MS);
      incidents.push(analyseIncident(incident, buckets, INCIDENT_STEP_MS, slo.errorBudget, budgetEvents, period, heldFromMs));
    }
  }
  const inPeriod = hours.filter((h) => h.startMs >= period.startMs && h.startMs < period.endMs);
  // Burns with no page only from where the router holds every incident: before it, the incident that
  // paged for one may be deleted. (Prometheus's needs no cut: the hours it no longer holds have no errors to find.)
  const unpagedFromMs = routerRetention?.heldFromMs ?? -Infinity;
  const judged = inPeriod.filter((h) => h.startMs >= unpagedFromMs);
  const quality = incidents === undefined ? undefined : alertQuality(incidents, judged, budgetEvents, slo.errorBudget, period);
  return {
    slo: info,
    current,
    previous: summaries[1]!,
    history: summaries,
    days,
    worstDays: worstDays(days),
    gaps,
    incidents,
    alertQuality: quality,
    recommendations: current.status === 'no data' ? [] : recommend({ slo: info, history: summaries, gaps, alertQuality: quality, rulesLoaded, unpagedSince: unpagedSince(period, retention, routerRetention) }),
    warnings,
  };
}

/**
 * SLO ids whose rules Prometheus has loaded now, from its rules API: a group named as slokit names it,
 * or a rule labelled with the SLO's id (either label style). Series would not do: a restarted
 * Prometheus keeps a removed rule's last samples for the lookback window.
 */
async function loadedSloIds(client: PrometheusClient): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const group of await client.ruleGroups()) {
    if (group.name.startsWith(GROUP_PREFIX)) ids.add(group.name.slice(GROUP_PREFIX.length));
    for (const rule of group.rules) {
      const id = rule.labels.slo_id ?? rule.labels.sloth_id;
      if (id !== undefined) ids.add(id);
    }
  }
  return ids;
}
