import {
  ALERT_LABELS,
  alertName,
  dashboardUrl,
  identityLabelKeys,
  record,
  type LabelStyle,
  type Service,
} from '../slo/index.js';

/** The label the overview's table joins its queries on, whatever the label style. */
export const JOIN_LABEL = ALERT_LABELS.id;

/** Label carrying each SLO's service-dashboard link (relative, with the SLO selected) on the overview. */
export const DASHBOARD_URL_LABEL = 'dashboard_url';

/**
 * `max by (slo_id) (expr)`: one series per SLO keyed by the join label. Under the Sloth label style
 * the recordings carry `sloth_id`, which is copied to `slo_id` so every query joins on one label.
 */
export function perSlo(expr: string, labelStyle: LabelStyle): string {
  const id = identityLabelKeys(labelStyle).id;
  const grouped = `max by (${id}) (${expr})`;
  return id === JOIN_LABEL ? grouped : `label_replace(${grouped}, "${JOIN_LABEL}", "$1", "${id}", "(.*)")`;
}

/** 2 while a page alert fires, 1 while only a ticket alert (burn or no data) fires, else 0; per SLO. */
export function alertLevelExpr(labelStyle: LabelStyle): string {
  const firing = (names: string) => `ALERTS{alertstate="firing", alertname=~"${names}"}`;
  const page = firing(alertName.page);
  const ticket = firing(`${alertName.ticket}|${alertName.noData}`);
  return (
    `max by (${JOIN_LABEL}) (${page} * 2 or ${ticket}) ` +
    `or ${perSlo(record.info(labelStyle), labelStyle)} * 0`
  );
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
  const listed = `max by (${by}) (${terms.join(' or ')})`;
  return keys.id === JOIN_LABEL ? listed : `label_replace(${listed}, "${JOIN_LABEL}", "$1", "${keys.id}", "(.*)")`;
}

/** The overview table's queries, by refId. All instant, all one series per SLO joined on `slo_id`. */
export function overviewTableQueries(services: readonly Service[], labelStyle: LabelStyle): Record<string, string> {
  const burn = perSlo(record.periodBurnRate, labelStyle);
  const budget = perSlo(record.errorBudget, labelStyle);
  const remaining = perSlo(record.periodErrorBudgetRemaining, labelStyle);
  return {
    A: sloListExpr(services, labelStyle),
    B: perSlo(record.objective, labelStyle),
    // SLI over each SLO's own window: 1 − burn rate × budget (the window differs between SLOs).
    C: `1 - (${burn} * on (${JOIN_LABEL}) ${budget})`,
    D: remaining,
    E: perSlo(record.currentBurnRate, labelStyle),
    F: alertLevelExpr(labelStyle),
    // Trouble first: firing alerts outrank any budget, then the share of the budget spent.
    G: `(${alertLevelExpr(labelStyle)}) * 1000 + on (${JOIN_LABEL}) clamp_max(1 - ${remaining}, 999)`,
  };
}

/** Counts for the stats above the table: SLOs, SLOs out of budget, paging and ticketing alerts. */
export function overviewCountQueries(labelStyle: LabelStyle): Record<'slos' | 'outOfBudget' | 'paging' | 'ticketing', string> {
  return {
    slos: `count(${record.info(labelStyle)})`,
    outOfBudget: `count(${record.periodErrorBudgetRemaining} < 0) or vector(0)`,
    paging: `count(ALERTS{alertstate="firing", alertname="${alertName.page}"}) or vector(0)`,
    ticketing: `count(ALERTS{alertstate="firing", alertname=~"${alertName.ticket}|${alertName.noData}"}) or vector(0)`,
  };
}
