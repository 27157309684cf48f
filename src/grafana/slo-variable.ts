import { CustomVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { SLO_VARIABLE, type Service } from '../slo/index.js';

/**
 * The `slo` variable of a service dashboard: the service's SLO names, several or all at once (the
 * default). Its options come from the definitions, not from Prometheus, so it works before any data
 * exists; an alert's `dashboard_url` selects one with `?var-slo=<name>`.
 */
export function sloVariable(service: Service): CustomVariableBuilder {
  const names = service.slos.map((s) => s.name);
  return new CustomVariableBuilder(SLO_VARIABLE)
    .label('SLO')
    .values(names.join(','))
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .options([
      { selected: true, text: 'All', value: '$__all' },
      ...names.map((n) => ({ selected: false, text: n, value: n })),
    ]);
}
