import type { Incident } from '../pipeline/types.js';

/** An open page incident of the `Disk` alert (key `alert:{alertname="Disk"}`) for the store's tests; `changes` override. */
export const anIncident = (id: string, openedAt: number, changes: Partial<Incident> = {}): Incident => ({
  id,
  key: 'alert:{alertname="Disk"}',
  state: 'open',
  severity: 'page',
  title: 'Disk',
  service: 'db',
  slo: undefined,
  team: undefined,
  groupLabels: { alertname: 'Disk' },
  openedAt,
  resolvedAt: undefined,
  updatedAt: openedAt,
  reopenCount: 0,
  firingAlerts: 1,
  firingPages: 1,
  ...changes,
});
