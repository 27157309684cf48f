import { DashboardBuilder, DashboardCursorSync, TimePickerBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARD_TAG, generatedMarker } from '../slo/index.js';
import { datasourceVariable } from './datasource.js';

/**
 * What every generated dashboard shares: uid, tag, the DO-NOT-EDIT marker and the project that
 * writes it in its description (which `slokit generate` reads back), a 6h range refreshed every
 * minute, shared crosshairs, and the datasource variable. No `id` and no `version`: Grafana assigns those, and a provisioned file must not pin them.
 */
export function dashboardBase(uid: string, title: string, description: string, tags: readonly string[], project: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(`${description} ${generatedMarker(project, ' ')}`)
    .tags([DASHBOARD_TAG, ...tags])
    .editable()
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .timepicker(new TimePickerBuilder().refreshIntervals(['1m', '5m', '15m', '1h']))
    .refresh('1m')
    .withVariable(datasourceVariable());
}
