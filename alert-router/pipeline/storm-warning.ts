import type { StormWarning } from '../anomaly/volume-watch.js';
import type { Notification } from '../notify/types.js';
import { describeWindow, maintenanceFor, maintenanceSubject } from './maintenance.js';
import { notice } from './notice.js';
import type { PipelineDeps, PipelinePort, PipelineSettings } from './process-batch.js';
import type { Incident, TimelineEntry } from './types.js';

/**
 * Records an early storm warning (the volume watch saw a service's alerts surge) and queues it for
 * the service owner's Slack channel, or `slack.defaultChannel`. The warning is an incident of its own
 * (key `storm-warning:<service>:<minute>`), born resolved: one message, no follow-ups, and a record
 * in the incidents API. It notifies nobody when there is no channel, or while a maintenance window
 * covers the service (a surge there is expected); the log, the metric and the record remain.
 */
export function recordStormWarning(warning: StormWarning, port: PipelinePort, settings: PipelineSettings, deps: PipelineDeps): Notification[] {
  const now = deps.now();
  const owner = settings.catalog.ownership({ service: warning.service });
  const channel = owner.slack ?? settings.routing.defaultSlackChannel;
  const incident: Incident = {
    id: deps.newId(),
    key: `storm-warning:${warning.service}:${Math.floor(now / 60_000)}`,
    state: 'resolved',
    severity: 'ticket',
    title: `Early storm warning: ${warning.message}`,
    service: warning.service,
    slo: undefined,
    team: owner.team,
    groupLabels: { service: warning.service },
    openedAt: now,
    resolvedAt: now,
    updatedAt: now,
    reopenCount: 0,
    firingAlerts: 0,
    firingPages: 0,
  };
  port.saveIncident(incident);
  const usual = warning.usualPerMinute < 0.1 ? warning.usualPerMinute.toFixed(2) : warning.usualPerMinute.toFixed(1);
  const why = `${warning.count} alerts fired for ${warning.service} within a minute, against its usual ${usual} a minute (suppression.storm.earlyWarning)`;
  const timeline: TimelineEntry[] = [{ incidentId: incident.id, at: now, kind: 'opened', reason: `early storm warning: ${why}`, data: { count: warning.count, usualPerMinute: warning.usualPerMinute } }];
  const notifications: Notification[] = [];
  const window = maintenanceFor(port.suppression.activeMaintenance(now), maintenanceSubject({}, warning.service), now);
  if (window !== undefined) {
    timeline.push({ incidentId: incident.id, at: now, kind: 'suppressed', reason: `not posted: ${describeWindow(window)} covers ${warning.service}`, data: { reason: 'maintenance', windowId: window.id } });
  } else if (channel === undefined) {
    timeline.push({ incidentId: incident.id, at: now, kind: 'routed', reason: `no Slack channel for ${warning.service} in the catalog and no slack.defaultChannel; nobody to notify` });
  } else {
    const target = { kind: 'slack' as const, destination: channel };
    port.addTargets(incident.id, [target]);
    const n = notice({
      incident,
      target,
      action: 'trigger',
      summary: incident.title,
      details: `${why}. Incidents may follow; storm control rolls them into digests past suppression.storm.maxIncidentsPerMinute.`,
      labels: { service: warning.service },
      annotations: {},
      customDetails: { count: warning.count, usualPerMinute: warning.usualPerMinute },
      catalog: settings.catalog,
      now,
      newId: deps.newId,
      why: 'early storm warning',
    });
    notifications.push(n.notification);
    timeline.push(n.timeline);
    port.enqueue(notifications, now);
  }
  port.appendTimeline(timeline);
  return notifications;
}
