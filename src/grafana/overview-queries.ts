import {
  ALERT_LABELS,
  alertName,
  dashboardUrl,
  identityLabelKeys,
  record,
  type LabelStyle,
  type Service,
} from '../slo/index.js';
import { enabledTiers } from './alert-tiers.js';

/** The label the overview's table joins its queries on, whatever the label style. */
export const JOIN_LABEL = ALERT_LABELS.id;

/** Label carrying each SLO's service-dashboard link (relative, with the SLO selected) on the overview. */
export const DASHBOARD_URL_LABEL = 'dashboard_url';

/**
 * What every overview query is narrowed to: exactly the SLOs of these definitions, so a Prometheus
 * that also holds other SLOs (another team's, a retired one's) adds no line and no count.
 */
export interface OverviewScope {
  labelStyle: LabelStyle;
  /** Matcher of the generated SLOs on their recordings, by the style's id label (`slo_id` or `sloth_id`). */
  recordings: string;
  /** Matcher of the generated SLOs on `ALERTS`, which carry `slo_id` whatever the style. */
  alerts: string;
}

/** `text` with RE2's metacharacters escaped, so it matches only itself. */
function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` as a double-quoted PromQL string literal. */
function promqlString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `key=~"id1|id2|..."`: selects the series of the given SLO ids and of no other SLO. */
export function sloIdMatcher(ids: readonly string[], key: string): string {
  return `${key}=~${promqlString(ids.map(regexEscape).join('|'))}`;
}

/** The overview's scope for these services under a label style. */
export function overviewScope(services: readonly Service[], labelStyle: LabelStyle): OverviewScope {
  const ids = services.flatMap((s) => s.slos.map((slo) => slo.id));
  return {
    labelStyle,
    recordings: sloIdMatcher(ids, identityLabelKeys(labelStyle).id),
    alerts: sloIdMatcher(ids, ALERT_LABELS.id),
  };
}

/** Copies the style's id label to `slo_id` (under the Sloth style), so every query joins on one label. */
function onJoinLabel(expr: string, labelStyle: LabelStyle): string {
  const id = identityLabelKeys(labelStyle).id;
  return id === JOIN_LABEL ? expr : `label_replace(${expr}, "${JOIN_LABEL}", "$1", "${id}", "(.*)")`;
}

/**
 * `max by (slo_id) (name{<generated SLOs>})`: one series per generated SLO of a recording, keyed by
 * the join label (under the Sloth style the recordings carry `sloth_id`, copied to `slo_id`).
 */
export function perSlo(recordName: string, scope: OverviewScope): string {
  const id = identityLabelKeys(scope.labelStyle).id;
  return onJoinLabel(`max by (${id}) (${recordName}{${scope.recordings}})`, scope.labelStyle);
}

/** The alerts that make an SLO's ticket: its slow burn, and its SLI's data missing in whole or in part. */
const TICKET_ALERTS = [alertName.ticket, alertName.noData, alertName.bucketMissing].join('|');

function firingAlerts(names: string, scope: OverviewScope): string {
  return `ALERTS{alertstate="firing", alertname=~"${names}", ${scope.alerts}}`;
}

/** 2 while a page alert fires, 1 while only a ticket alert (burn, no data, a missing bucket) fires, else 0; per SLO. */
export function alertLevelExpr(scope: OverviewScope): string {
  const page = firingAlerts(alertName.page, scope);
  const ticket = firingAlerts(TICKET_ALERTS, scope);
  return `max by (${JOIN_LABEL}) (${page} * 2 or ${ticket}) or ${perSlo(record.info(scope.labelStyle), scope)} * 0`;
}

/**
 * Every SLO's identity from its info series, with a `dashboard_url` label linking to its service
 * dashboard with the SLO selected. The SLOs are named one by one, so the overview lists exactly the
 * SLOs generated from these definitions even when a Prometheus holds others.
 */
export function sloListExpr(services: readonly Service[], labelStyle: LabelStyle): string {
  const keys = identityLabelKeys(labelStyle);
  const terms = services.flatMap((service) =>
    service.slos.map(
      (slo) =>
        `label_replace(${record.info(labelStyle)}{${keys.id}="${slo.id}"}, "${DASHBOARD_URL_LABEL}", ` +
        `"${dashboardUrl('', service.name, slo.name)}", "", "")`,
    ),
  );
  const by = [...new Set([JOIN_LABEL, keys.id, keys.service, keys.name, keys.window, DASHBOARD_URL_LABEL])].join(', ');
  return onJoinLabel(`max by (${by}) (${terms.join(' or ')})`, labelStyle);
}

/** A number as PromQL text, without binary noise (14.4 × 0.001 → 0.0144). */
function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/**
 * How near each paging SLO is to paging, as its page alert sees it: for each enabled page tier, the
 * lower of its long and short windows' error ratios divided by the tier's threshold (factor × budget),
 * and the highest of those over the tiers. 1 or more means a page condition holds now (the alert fires
 * once it has held for its `for`); a 5m spike that the long window does not confirm stays under 1.
 * Absent for a tier while either window has no data, as the alert is. Undefined when no SLO pages. A
 * Grafana table colours a column by one threshold for every line, so each SLO's thresholds go in the query.
 */
export function burnOverPageExpr(services: readonly Service[], labelStyle: LabelStyle): string | undefined {
  const id = identityLabelKeys(labelStyle).id;
  const terms = services.flatMap((service) =>
    service.slos.flatMap((slo) => {
      const tiers = enabledTiers(slo).filter((t) => t.severity === 'page');
      if (tiers.length === 0) return [];
      const window = (w: string) => `max by (${id}) (${record.errorRatio(w)}{${id}="${slo.id}"})`;
      const tierTerms = tiers.map((t, i) => {
        const [long, short] = [window(t.long), window(t.short)];
        const lower = `(${long} <= ${short} or ${short} < ${long})`;
        // A tier label keeps the tiers apart until the max (`or` would keep only the first).
        return `label_replace(${lower} / ${num(t.factor * slo.errorBudget)}, "slokit_tier", "${i}", "", "")`;
      });
      return [`max by (${id}) (${tierTerms.join(' or ')})`];
    }),
  );
  return terms.length === 0 ? undefined : onJoinLabel(terms.join(' or '), labelStyle);
}

/**
 * The overview table's queries, by refId. All instant, all one series per generated SLO joined on
 * `slo_id`; `H` (burn ÷ page threshold) only when some SLO pages.
 */
export function overviewTableQueries(services: readonly Service[], labelStyle: LabelStyle): Record<string, string> {
  const scope = overviewScope(services, labelStyle);
  const burn = perSlo(record.periodBurnRate, scope);
  const budget = perSlo(record.errorBudget, scope);
  const remaining = perSlo(record.periodErrorBudgetRemaining, scope);
  const burnOverPage = burnOverPageExpr(services, labelStyle);
  return {
    A: sloListExpr(services, labelStyle),
    B: perSlo(record.objective, scope),
    // SLI over each SLO's own window: 1 − burn rate × budget (the window differs between SLOs).
    C: `1 - (${burn} * on (${JOIN_LABEL}) ${budget})`,
    D: remaining,
    E: perSlo(record.currentBurnRate, scope),
    F: alertLevelExpr(scope),
    // Trouble first: firing alerts outrank any budget, then the share of the budget spent.
    G: `(${alertLevelExpr(scope)}) * 1000 + on (${JOIN_LABEL}) clamp_max(1 - ${remaining}, 999)`,
    ...(burnOverPage === undefined ? {} : { H: burnOverPage }),
  };
}

/**
 * Counts for the stats above the table, of the generated SLOs only: SLOs, SLOs out of budget,
 * paging and ticketing alerts.
 */
export function overviewCountQueries(
  services: readonly Service[],
  labelStyle: LabelStyle,
): Record<'slos' | 'outOfBudget' | 'paging' | 'ticketing', string> {
  const scope = overviewScope(services, labelStyle);
  return {
    slos: `count(${record.info(labelStyle)}{${scope.recordings}})`,
    outOfBudget: `count(${record.periodErrorBudgetRemaining}{${scope.recordings}} < 0) or vector(0)`,
    paging: `count(ALERTS{alertstate="firing", alertname="${alertName.page}", ${scope.alerts}}) or vector(0)`,
    ticketing: `count(${firingAlerts(TICKET_ALERTS, scope)}) or vector(0)`,
  };
}
