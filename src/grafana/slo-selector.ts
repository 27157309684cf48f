import { identityLabelKeys, SLO_VARIABLE, type LabelStyle, type Slo } from '../slo/index.js';

/**
 * The label matchers of one SLO's recordings on its service dashboard: its id, and its name against
 * the `slo` variable, so choosing SLOs in the variable (or opening an alert's `dashboard_url`) empties
 * the rows of the others.
 */
export function sloSelector(slo: Slo, labelStyle: LabelStyle): string {
  const keys = identityLabelKeys(labelStyle);
  return `{${keys.id}="${slo.id}", ${keys.name}=~"$${SLO_VARIABLE}"}`;
}
