import type { Catalog, CatalogService, CatalogSlo } from '../../src/slo/catalog.js';
import { ALERT_LABELS, ANNOTATIONS } from '../../src/slo/conventions.js';
import type { NotificationLink } from '../notify/types.js';

/** What the router needs to know about whoever owns an alert. */
export interface Ownership {
  service: string;
  slo: CatalogSlo | undefined;
  serviceEntry: CatalogService | undefined;
  team: string | undefined;
  pagerduty: string | undefined;
  slack: string | undefined;
}

/** Constant-time lookups into the generated catalog. Build one per catalog load. */
export class CatalogIndex {
  private readonly slosById = new Map<string, CatalogSlo>();
  private readonly slosByName = new Map<string, CatalogSlo>();
  private readonly services = new Map<string, CatalogService>();

  constructor(readonly catalog: Catalog) {
    for (const slo of catalog.slos) {
      this.slosById.set(slo.id, slo);
      this.slosByName.set(`${slo.service}/${slo.name}`, slo);
    }
    for (const s of catalog.services) this.services.set(s.name, s);
  }

  /** The catalog's SLO `name` of `service`, when it has one. */
  slo(service: string, name: string): CatalogSlo | undefined {
    return this.slosByName.get(`${service}/${name}`);
  }

  /** The owner of an alert: its SLO's when it has one, else its `service` label's, else nobody known. */
  ownership(labels: Record<string, string>): Ownership {
    const id = labels[ALERT_LABELS.id];
    const sloService = labels[ALERT_LABELS.service];
    const sloName = labels[ALERT_LABELS.name];
    const slo =
      (id === undefined ? undefined : this.slosById.get(id)) ??
      (sloService === undefined || sloName === undefined ? undefined : this.slosByName.get(`${sloService}/${sloName}`));
    const service = slo?.service ?? sloService ?? labels['service'] ?? labels['job'] ?? 'unknown';
    const serviceEntry = this.services.get(service);
    return {
      service,
      slo,
      serviceEntry,
      team: slo?.team ?? serviceEntry?.team ?? labels[ALERT_LABELS.team],
      pagerduty: slo?.pagerduty ?? serviceEntry?.pagerduty,
      slack: slo?.slack ?? serviceEntry?.slack,
    };
  }

  /** Runbook and dashboard links: the alert's annotations first, the catalog's otherwise. */
  links(labels: Record<string, string>, annotations: Record<string, string>): NotificationLink[] {
    const { slo } = this.ownership(labels);
    const runbook = annotations[ANNOTATIONS.runbook] ?? slo?.runbookUrl;
    const dashboard = annotations[ANNOTATIONS.dashboard] ?? slo?.dashboardUrl;
    const links: NotificationLink[] = [];
    if (runbook !== undefined && runbook !== '') links.push({ href: runbook, text: 'Runbook' });
    if (dashboard !== undefined && dashboard !== '') links.push({ href: dashboard, text: 'Dashboard' });
    return links;
  }
}
