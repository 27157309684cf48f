/** A Prometheus rule file's groups, as written to YAML. */
export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

/**
 * How windows are computed.
 * - `aggregated` (default): windows under 1h from the source series; 1h and longer from the SLO's own
 *   5m recordings, so a 30d window reads one series, not every source series.
 * - `raw`: every window straight from the source series (the textbook formulation, as Sloth writes
 *   it): right from the first evaluation, at a far higher cost.
 */
export type Formulation = 'aggregated' | 'raw';

export interface RuleOptions {
  labelStyle: 'slo' | 'sloth';
  formulation: Formulation;
  /** Base URL of Grafana for `dashboard_url` annotations. */
  grafanaUrl: string;
  /** Rule group evaluation interval; unset uses Prometheus's global one. */
  interval?: string;
}

export const DEFAULT_RULE_OPTIONS: RuleOptions = {
  labelStyle: 'slo',
  formulation: 'aggregated',
  grafanaUrl: 'http://localhost:3000',
};
