import { toGeneratedYaml, type Service } from '../slo/index.js';
import type { RuleGroup } from './rule-types.js';

export type RuleFileFormat = 'prometheus' | 'prometheus-rule';

/**
 * A service's rule groups as a file Prometheus loads (`rule_files:`), or as a prometheus-operator
 * PrometheusRule object for clusters that load rules through the operator. `project` names the
 * project that writes it in the header.
 */
export function renderRuleFile(service: Service, groups: readonly RuleGroup[], project: string, format: RuleFileFormat = 'prometheus'): string {
  const body = { groups };
  if (format === 'prometheus') return toGeneratedYaml(body, project, [service.file]);
  return toGeneratedYaml(
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: `slokit-${service.name}`,
        labels: { 'app.kubernetes.io/managed-by': 'slokit', 'app.kubernetes.io/part-of': service.name },
      },
      spec: body,
    },
    project,
    [service.file],
  );
}
