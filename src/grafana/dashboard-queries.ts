import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';

/** One PromQL query of a dashboard, with where it comes from. */
export interface DashboardQuery {
  /** Panel id, or undefined for an annotation query. */
  panelId: number | undefined;
  /** Panel title or annotation name. */
  source: string;
  refId: string;
  expr: string;
  instant: boolean;
  /** The query's datasource uid (`${datasource}` on generated dashboards). */
  datasourceUid: string | undefined;
}

/** The panels of a dashboard, those inside collapsed rows included. Rows themselves are not returned. */
export function dashboardPanels(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  for (const item of dashboard.panels ?? []) {
    if (item.type === 'row') out.push(...((item as RowPanel).panels ?? []));
    else out.push(item as Panel);
  }
  return out;
}

interface QueryLike {
  refId?: string;
  expr?: string;
  instant?: boolean;
  datasource?: { uid?: string };
}

/** Every PromQL query of a dashboard: each panel's targets, then each Prometheus annotation. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const panel of dashboardPanels(dashboard)) {
    for (const target of (panel.targets ?? []) as QueryLike[]) {
      if (target.expr === undefined) continue;
      out.push({
        panelId: panel.id,
        source: panel.title ?? '',
        refId: target.refId ?? '',
        expr: target.expr,
        instant: target.instant === true,
        datasourceUid: target.datasource?.uid,
      });
    }
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    const a = annotation as { name: string; expr?: string; datasource?: { uid?: string } };
    if (a.expr === undefined) continue;
    out.push({ panelId: undefined, source: a.name, refId: '', expr: a.expr, instant: false, datasourceUid: a.datasource?.uid });
  }
  return out;
}
