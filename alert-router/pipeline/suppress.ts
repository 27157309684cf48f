import type { Notification } from '../notify/types.js';
import type { CatalogIndex } from './catalog-index.js';
import type { IncidentEvent } from './correlate.js';
import { describeWindow, maintenanceFor, maintenanceSubject } from './maintenance.js';
import { notice } from './notice.js';
import type { Target } from './route.js';
import { inStorm } from './storm.js';
import type { DigestItem, Hold, MaintenanceWindow, SuppressionReason, SuppressionSettings } from './suppression-types.js';
import type { Incident, IncidentTarget, Severity, TimelineEntry } from './types.js';

/** Everything the suppression gate needs about one incident touched by one batch (or one release). */
export interface GateInput {
  after: Incident;
  events: IncidentEvent[];
  /** What enqueue would send. */
  notifications: Notification[];
  newTargets: Target[];
  hold: Hold | undefined;
  /** What the targets were last told; read only when `cause` is set (step 4), else may be undefined. */
  notified: 'open' | 'resolved' | undefined;
  windows: readonly MaintenanceWindow[];
  /** True when an alert of this incident changed state too often in this batch (flap.ts). */
  flapping: boolean;
  /**
   * The open incident this one is likely caused by (dependency.ts) or grouped under, when it just
   * opened; `unpaged` says why that incident does not hold back a page (dependency.ts `whyNotPaged`),
   * undefined when it does.
   */
  cause: {
    incident: Incident;
    reason: 'dependency' | 'grouped';
    why: string;
    /**
     * The cause's targets a linked dependent is announced to: its Slack channels (a thread reply) and
     * those of its PagerDuty services whose incident is open (an event on its dedup_key). A resolved
     * PagerDuty incident is not sent one: a trigger would reopen it with nothing left to resolve it.
     */
    targets: readonly IncidentTarget[];
    unpaged: string | undefined;
  } | undefined;
  /**
   * For an incident held as linked (dependency or group) that has just escalated to page: the incident
   * it is linked to, and why that does not hold back a page (undefined when it does). Undefined otherwise.
   */
  parent: { incident: Incident | undefined; unpaged: string | undefined } | undefined;
  /** Incidents sent or digested to a target in the last minute (storm control). */
  openedLastMinute: (target: Target) => { sent: number; digested: number };
  /**
   * The storm digest that lists this incident for a target and is still open ('the next storm digest'
   * for one not sent yet) and the highest severity it lists it at, or undefined; read only for a trigger
   * to a new target of an incident that did not just open (a new incident is in no digest).
   */
  listedIn: (target: Target) => { where: string; severity: Severity } | undefined;
  /** True when a hold's release (release-hold.ts) sends the incident's state: said in a `suppressed` row. */
  released: boolean;
  settings: SuppressionSettings;
  catalog: CatalogIndex;
  now: number;
  newId: () => string;
}

export interface GateResult {
  notifications: Notification[];
  newTargets: Target[];
  timeline: TimelineEntry[];
  /** Hold to store (a new or extended one), `null` to clear it, undefined to leave it. */
  hold: Hold | null | undefined;
  digest: Omit<DigestItem, 'seq' | 'digestId'>[];
  suppressed: Partial<Record<SuppressionReason, number>>;
}

const STATE_CHANGES = new Set<IncidentEvent['kind']>(['opened', 'reopened', 'alert-resolved', 'resolved', 'grouped']);

/** What a trigger to a target follows, for a storm digest's `suppressed` row. */
function changeOf(input: GateInput): string {
  const kinds = new Set(input.events.map((e) => e.kind));
  if (kinds.has('de-escalated') && !kinds.has('reopened') && !kinds.has('escalated')) return `de-escalated to ${input.after.severity}`;
  if (input.released) return 'released while still firing';
  if (kinds.has('reopened')) return 'reopened';
  if (kinds.has('escalated')) return `escalated to ${input.after.severity}`;
  return 'still firing';
}

/**
 * The suppression stage between enqueue and the outbox: maintenance windows, flap damping, dependency
 * correlation and storm control decide which of enqueue's notifications leave now, which wait on a
 * durable hold (released by the tick), and which are rolled into a digest. A page is held under a
 * likely cause only when that cause has paged itself. A resolve always reaches
 * a target that was sent the trigger, except while flapping, where the final state is sent once the
 * alert is stable. Every decision is a timeline row with its reason. Pure.
 */
export function gate(input: GateInput): GateResult {
  const { after, now, settings } = input;
  const out: GateResult = { notifications: [], newTargets: [], timeline: [], hold: undefined, digest: [], suppressed: {} };
  const row = (kind: TimelineEntry['kind'], reason: string, data?: Record<string, unknown>) =>
    out.timeline.push({ incidentId: after.id, at: now, kind, reason, ...(data === undefined ? {} : { data }) });
  const suppress = (reason: SuppressionReason, dropped: Notification[], why: string) => {
    if (dropped.length === 0) return;
    out.suppressed[reason] = (out.suppressed[reason] ?? 0) + dropped.length;
    row('suppressed', `${dropped.map((n) => `${n.action} for ${n.target.kind} ${n.target.kind === 'slack' ? n.target.destination : `$${n.target.destination}`}`).join(', ')} held: ${why}`, {
      reason,
      notifications: dropped.map((n) => ({ action: n.action, target: n.target.kind, destination: n.target.destination })),
    });
  };
  const resolves = input.notifications.filter((n) => n.action === 'resolve');
  const others = input.notifications.filter((n) => n.action !== 'resolve');
  const lead = input.events.find((e) => e.kind === 'opened' || e.kind === 'reopened' || e.kind === 'escalated') ?? input.events[input.events.length - 1];
  const changed = input.events.some((e) => STATE_CHANGES.has(e.kind));

  // 1. An existing hold: nothing but resolves to already-notified targets leaves (flapping holds those too).
  //    A linked incident that escalates to page while its cause has not paged is released: it pages on its own.
  if (input.hold !== undefined) {
    const h = input.hold;
    if (h.reason === 'flapping') {
      suppress('flapping', input.notifications, `flapping; the final state is sent once stable for ${Math.round(settings.flapping.stableMs / 60_000)}m`);
      if (changed) out.hold = { ...h, until: now + settings.flapping.stableMs };
      return out;
    }
    const parent = input.parent;
    if (parent === undefined || parent.unpaged === undefined) {
      suppress(h.reason, others, h.detail);
      out.notifications.push(...resolves);
      return out;
    }
    const cause = parent.incident === undefined ? `incident ${h.parentId}` : `incident ${parent.incident.id} (${parent.incident.title})`;
    row('released', `released (${h.reason}): escalated to page while linked to ${cause}, which does not hold back a page (${parent.unpaged}): only an open cause that paged does, so it pages on its own`, {
      reason: h.reason,
      parentId: h.parentId,
    });
    out.hold = null;
  }

  // 2. Maintenance: matching alerts notify nobody until the window ends; resolves of earlier triggers still go out.
  const window = lead === undefined ? undefined : maintenanceFor(input.windows, maintenanceSubject(lead.labels, after.service), now);
  if (window !== undefined) {
    const why = `in ${describeWindow(window)}`;
    suppress('maintenance', others, why);
    out.notifications.push(...resolves);
    if (after.state === 'open') out.hold = { incidentId: after.id, reason: 'maintenance', detail: why, since: now, until: window.endsAt, parentId: undefined, windowId: window.id };
    return out;
  }

  // 4's decision, taken first: an incident (re)opening under a cause that holds it back is linked, not
  // paged as flapping (a dependent flapping under a paged cause would otherwise page on its own: two
  // pages for one problem).
  const linking = input.cause !== undefined && input.notified !== 'open' && after.state === 'open';
  const heldUnderCause = linking && input.cause !== undefined && (after.severity !== 'page' || input.cause.unpaged === undefined);

  // 3. Flapping: this batch's notifications go out once, marked, then nothing until stable.
  if (input.flapping && settings.flapping.enabled && !heldUnderCause) {
    const why = `an alert changed state more than ${settings.flapping.maxChanges} times in ${Math.round(settings.flapping.windowMs / 60_000)}m; further changes are held until it is stable for ${Math.round(settings.flapping.stableMs / 60_000)}m`;
    row('flapping', why);
    for (const n of input.notifications) out.notifications.push({ ...n, summary: `[flapping] ${n.summary}`, details: `flapping: ${why}\n${n.details}` });
    out.newTargets.push(...input.newTargets);
    out.hold = { incidentId: after.id, reason: 'flapping', detail: 'flapping', since: now, until: now + settings.flapping.stableMs, parentId: undefined };
    return out;
  }

  // 4. Dependency / label group: a new incident explained by an open one is added to it instead of paging,
  //    unless it is a page and that one has not paged: then it is only linked as context and pages itself.
  if (heldUnderCause && input.cause !== undefined) {
    const { incident: parent, reason, why } = input.cause;
    // A reopen of an incident whose Slack message reads "Resolved": that message is edited back to
    // firing, with a thread reply saying what it is held under, so the channel does not show it as over.
    // Nobody is paged (PagerDuty's reopen is held like any trigger) and what its targets were told stays
    // as it was, so the release still notifies it on its own.
    const shown = lead?.kind === 'reopened' ? input.notifications.filter((n) => n.target.kind === 'slack' && n.reopened === true) : [];
    suppress(
      reason,
      input.notifications.filter((n) => !shown.includes(n)),
      `likely caused by ${parent.title} (incident ${parent.id}): ${why}`,
    );
    for (const n of shown) {
      out.notifications.push({
        ...n,
        details: `linked: likely caused by ${parent.title} (incident ${parent.id}): ${why}; held under it, notified on its own if it still fires when that resolves\n${n.details}`,
      });
    }
    row('linked', `likely caused by incident ${parent.id} (${parent.title}): ${why}; notified on its own if it still fires when that resolves`, { parentId: parent.id, reason });
    out.hold = { incidentId: after.id, reason, detail: `likely caused by incident ${parent.id} (${parent.title})`, since: now, until: undefined, parentId: parent.id };
    const labels = lead?.labels ?? {};
    const annotations = lead?.annotations ?? {};
    for (const t of input.cause.targets) {
      const n = notice({
        incident: parent,
        target: t,
        action: t.kind === 'pagerduty' ? 'trigger' : 'update',
        summary: `${parent.title} (${parent.severity}): also affecting ${after.title}`,
        details: `${after.title} (${after.severity}, incident ${after.id}) opened while this incident is open: ${why}`,
        labels,
        annotations,
        customDetails: { dependents: [{ incidentId: after.id, title: after.title, service: after.service, severity: after.severity }] },
        catalog: input.catalog,
        now,
        newId: input.newId,
        why: `dependent ${after.service} linked (incident ${after.id})`,
      });
      out.notifications.push(n.notification);
      out.timeline.push(n.timeline);
    }
    out.timeline.push({
      incidentId: parent.id,
      at: now,
      kind: 'linked',
      reason: `${after.title} (incident ${after.id}) linked as likely caused by this incident: ${why}`,
      data: { childId: after.id, reason },
    });
    return out;
  }

  let notifications = input.notifications;
  if (linking && input.cause !== undefined) {
    const { incident: parent, reason, why } = input.cause;
    row('linked', `likely caused by incident ${parent.id} (${parent.title}): ${why}; not held: that incident has not paged (${input.cause.unpaged}) and only a cause that paged holds back a page, so this one pages on its own`, {
      parentId: parent.id,
      reason,
      held: false,
    });
    out.timeline.push({
      incidentId: parent.id,
      at: now,
      kind: 'linked',
      reason: `${after.title} (incident ${after.id}) is likely caused by this incident: ${why}; it pages on its own, since this incident has not paged`,
      data: { childId: after.id, reason, held: false },
    });
    const related = `likely related: ${parent.title} (incident ${parent.id}, ${parent.severity}) is open: ${why}`;
    notifications = notifications.map((n) => ({ ...n, details: `${n.details}\n${related}` }));
  }

  // 5. Storm control: a new incident for a target that already had its fill this minute goes to the digest.
  //    A target whose open digest lists the incident at this severity or higher was told by that digest
  //    that it fires, and the digest keeps it until it resolves (it resolves only once no incident it
  //    lists is left for that target): a de-escalation, a reopen, a page again after a de-escalation, or
  //    a hold's release is not news there, so it is not triggered on its own. A ticket a digest listed
  //    that now pages is news: it goes through storm control as a new incident would.
  const newKeys = new Set(input.newTargets.map((t) => `${t.kind}\u0000${t.destination}`));
  // Just opened, it has a new id no digest lists (a release says `opened` of an incident never sent on its own).
  const fresh = !input.released && input.events.some((e) => e.kind === 'opened');
  for (const n of notifications) {
    const k = `${n.target.kind}\u0000${n.target.destination}`;
    const listing = !fresh && n.action === 'trigger' && newKeys.has(k) ? input.listedIn(n.target) : undefined;
    if (listing !== undefined && (listing.severity === 'page' || after.severity === 'ticket')) {
      newKeys.delete(k);
      suppress('storm', [n], `${changeOf(input)}, and already listed in ${listing.where}, which keeps it until it resolves`);
      continue;
    }
    if (settings.storm.enabled && n.action === 'trigger' && newKeys.has(k)) {
      const { sent, digested } = input.openedLastMinute(n.target);
      if (inStorm(sent + digested, settings.storm.maxPerMinute)) {
        newKeys.delete(k);
        const already = `${sent} incident${sent === 1 ? '' : 's'} sent${digested > 0 ? ` and ${digested} listed for its digest` : ''}`;
        suppress('storm', [n], `storm: ${already} in the last minute for ${n.target.kind} ${n.target.destination} (limit ${settings.storm.maxPerMinute}); listed in the next digest`);
        out.digest.push({ target: n.target, incidentId: after.id, title: after.title, severity: after.severity, at: now });
        continue;
      }
    }
    out.notifications.push(n);
  }
  out.newTargets.push(...input.newTargets.filter((t) => newKeys.has(`${t.kind}\u0000${t.destination}`)));
  return out;
}
