import { AnnotationQueryBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { ALERT_LABELS, SLO_VARIABLE, alertName, type Service } from '../slo/index.js';
import { prometheusDatasource } from './datasource.js';

/** The PromQL of a service's firing SLO alerts, narrowed to the SLOs chosen in the `slo` variable. */
export function firingAlertsExpr(service: Service): string {
  const names = [alertName.page, alertName.ticket, alertName.noData, alertName.bucketMissing].join('|');
  return (
    `ALERTS{alertstate="firing", alertname=~"${names}", ` +
    `${ALERT_LABELS.service}="${service.name}", ${ALERT_LABELS.name}=~"$${SLO_VARIABLE}"}`
  );
}

/** Firing SLO alerts of the service as annotations on every time series panel. */
export function firingAlertsAnnotation(service: Service): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name('Firing SLO alerts')
    .datasource(prometheusDatasource())
    .enable(true)
    .hide(false)
    .iconColor('red')
    .expr(firingAlertsExpr(service))
    .step('60s')
    .titleFormat(`{{alertname}} ({{${ALERT_LABELS.severity}}})`)
    .textFormat(`{{${ALERT_LABELS.service}}}/{{${ALERT_LABELS.name}}}`)
    .tagKeys(`${ALERT_LABELS.severity},${ALERT_LABELS.name}`)
    .useValueForTime(false);
}
