import { DatasourceVariableBuilder, VariableHide } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE_VARIABLE } from '../slo/index.js';

/**
 * The datasource every panel, query and annotation uses: the dashboard's Prometheus variable, so one
 * dashboard works against any Prometheus that loads the generated rules. A fresh object each call,
 * because the SDK's `build()` hands out its objects by reference.
 */
export function prometheusDatasource(): DataSourceRef {
  return { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
}

/** The `datasource` template variable: any Prometheus datasource of the Grafana instance. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Prometheus')
    .type('prometheus')
    .hide(VariableHide.DontHide);
}
