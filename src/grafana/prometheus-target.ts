import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { prometheusDatasource } from './datasource.js';

/** One PromQL query of a panel. */
export interface TargetSpec {
  /** Unique within its panel; the SDK sets none. */
  refId: string;
  expr: string;
  /** Legend template (`{{slo_window}}`) or a fixed series name. */
  legend?: string;
  /** An instant query (stat and table panels) rather than a range query (time series). */
  instant?: boolean;
  /** `table` for instant queries a table joins on labels; `time_series` otherwise. */
  format?: 'table' | 'time_series';
}

/** A fresh Prometheus query builder on the datasource variable, with its refId set. */
export function prometheusTarget(spec: TargetSpec): DataqueryBuilder {
  const target = new DataqueryBuilder().datasource(prometheusDatasource()).refId(spec.refId).expr(spec.expr);
  if (spec.legend !== undefined) target.legendFormat(spec.legend);
  if (spec.instant === true) target.instant();
  else target.range();
  if (spec.format !== undefined) target.format(spec.format === 'table' ? PromQueryFormat.Table : PromQueryFormat.TimeSeries);
  return target;
}

/** Query refIds in Grafana's own order: A, B, ... Z, AA, AB, ... */
export function refId(index: number): string {
  const letter = String.fromCharCode(65 + (index % 26));
  return index < 26 ? letter : `${refId(Math.floor(index / 26) - 1)}${letter}`;
}
