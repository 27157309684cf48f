import { ALERT_LABELS } from '../../src/slo/conventions.js';
import type { CatalogIndex } from './catalog-index.js';
import { matches, type Matcher } from './matcher.js';
import type { Incident, IncidentTarget } from './types.js';

/** One configured route. `pagerduty`/`slack` are `owner` (the catalog's) or a name/channel. */
export interface Route {
  name: string;
  matchers: Matcher[];
  pagerduty: string | undefined;
  slack: string | undefined;
  continue: boolean;
}

/** Routes plus how names turn into destinations. Built from config; read-only here. */
export interface RoutingTable {
  routes: Route[];
  /** PagerDuty service name (catalog or config) → name of the env var holding its routing key. */
  pagerdutyServices: Record<string, string>;
  /** Env var for PagerDuty services not listed in `pagerdutyServices`. */
  defaultPagerdutyKeyEnv: string | undefined;
  /** Slack channel when the owner has none. */
  defaultSlackChannel: string | undefined;
}

export type Target = Omit<IncidentTarget, 'ref'>;

export interface RouteDecision {
  targets: Target[];
  /**
   * Why these targets: what the matchers saw of the severity (the alert's label and the tier), which
   * routes matched or that the owner fallback applied, and what was skipped.
   */
  reasons: string[];
}

function resolvePagerduty(spec: string, owner: string | undefined, table: RoutingTable): { env?: string; why: string } {
  const service = spec === 'owner' ? owner : spec;
  if (service === undefined) {
    return table.defaultPagerdutyKeyEnv === undefined
      ? { why: 'owner has no PagerDuty service and no default routing key is configured' }
      : { env: table.defaultPagerdutyKeyEnv, why: 'owner has no PagerDuty service: default routing key' };
  }
  const mapped = table.pagerdutyServices[service];
  if (mapped !== undefined) return { env: mapped, why: `PagerDuty service "${service}"` };
  return table.defaultPagerdutyKeyEnv === undefined
    ? { why: `PagerDuty service "${service}" has no routing key under pagerduty.services and there is no default` }
    : { env: table.defaultPagerdutyKeyEnv, why: `PagerDuty service "${service}" is not under pagerduty.services: default routing key` };
}

function resolveSlack(spec: string, owner: string | undefined, table: RoutingTable): { channel?: string; why: string } {
  const channel = spec === 'owner' ? (owner ?? table.defaultSlackChannel) : spec;
  return channel === undefined ? { why: 'owner has no Slack channel and no default is configured' } : { channel, why: `channel ${channel}` };
}

/** The label a route matcher on the severity reads: the alert's own label, and the router's tier too. */
const SEVERITY = ALERT_LABELS.severity;

/**
 * One route matcher against an alert. Matchers see the alert's own labels (plus `team` from the catalog
 * when the alert has none), as Alertmanager's do. `severity` is the exception, kept for routes written
 * against the router's tiers (`severity="page"`): it has two values, the alert's own label (when it has
 * one) and the incident's tier (`page` or `ticket`). `=` and `=~` match when either value does; `!=`
 * and `!~` when neither does. So `severity="critical"` matches an alert labelled critical, and
 * `severity="page"` matches it too (critical pages), as it did when matchers saw only the tier.
 */
function routeMatches(m: Matcher, subject: Record<string, string>, tier: Incident['severity']): boolean {
  if (m.name !== SEVERITY) return matches(m, subject);
  const own = subject[SEVERITY];
  const positive = m.op === '=' || m.op === '=~';
  const test: Matcher = positive ? m : { ...m, op: m.op === '!=' ? '=' : '=~' };
  const hit = matches(test, { [SEVERITY]: tier }) || (own !== undefined && own !== tier && matches(test, { [SEVERITY]: own }));
  return positive ? hit : !hit;
}

/** What the matchers saw of the severity, for the `routed` row. */
function severitySeen(labels: Record<string, string>, tier: Incident['severity']): string {
  const own = labels[SEVERITY];
  return own === undefined ? `no severity label, tier ${tier}` : `severity label "${own}", tier ${tier}`;
}

/**
 * Route stage: where an incident's notifications go. Config routes are tried in order with
 * Alertmanager semantics (first match wins unless it says `continue`) against the alert's labels (see
 * `routeMatches` for `severity`); when none matches, the SLO or service owner from the catalog gets
 * pages in PagerDuty and tickets in Slack. Pure.
 */
export function route(incident: Incident, labels: Record<string, string>, table: RoutingTable, catalog: CatalogIndex): RouteDecision {
  const tier = incident.severity;
  let subject: Record<string, string> = labels;
  if (incident.team !== undefined && labels['team'] === undefined) subject = { ...labels, team: incident.team };
  const owner = catalog.ownership(labels);
  const targets: Target[] = [];
  const reasons: string[] = [`matchers saw ${severitySeen(labels, tier)}`];
  const add = (kind: Target['kind'], spec: string, via: string) => {
    if (kind === 'pagerduty') {
      const r = resolvePagerduty(spec, owner.pagerduty, table);
      if (r.env === undefined) reasons.push(`${via}: PagerDuty skipped: ${r.why}`);
      else {
        targets.push({ kind, destination: r.env });
        reasons.push(`${via}: PagerDuty (${r.why})`);
      }
    } else {
      const r = resolveSlack(spec, owner.slack, table);
      if (r.channel === undefined) reasons.push(`${via}: Slack skipped: ${r.why}`);
      else {
        targets.push({ kind, destination: r.channel });
        reasons.push(`${via}: Slack (${r.why})`);
      }
    }
  };
  let matched = false;
  for (const r of table.routes) {
    if (!r.matchers.every((m) => routeMatches(m, subject, tier))) continue;
    matched = true;
    const via = `route "${r.name}" matched {${r.matchers.map((m) => m.text).join(', ')}}`;
    if (r.pagerduty !== undefined) add('pagerduty', r.pagerduty, via);
    if (r.slack !== undefined) add('slack', r.slack, via);
    if (r.pagerduty === undefined && r.slack === undefined) reasons.push(`${via}: no targets (silenced by route)`);
    if (!r.continue) break;
  }
  if (!matched) {
    const via = `no route matched; owner fallback for ${incident.severity} (team ${incident.team ?? 'unknown'})`;
    add(incident.severity === 'page' ? 'pagerduty' : 'slack', 'owner', via);
  }
  const seen = new Set<string>();
  const unique = targets.filter((t) => {
    const k = `${t.kind}\u0000${t.destination}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { targets: unique, reasons };
}
