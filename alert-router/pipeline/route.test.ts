import { describe, expect, it } from 'vitest';
import { MINUTE, exampleSettings, simulation } from '../../test/support/router-simulation.js';
import { parseMatcher } from './matcher.js';
import { route, type Route } from './route.js';
import type { Incident } from './types.js';

const T0 = Date.parse('2026-11-02T03:00:00Z');

function incident(severity: Incident['severity']): Incident {
  return {
    id: 'inc-1',
    key: 'alert:{alertname="DiskFull"}',
    state: 'open',
    severity,
    title: 'DiskFull',
    service: 'checkout',
    slo: undefined,
    team: 'checkout',
    groupLabels: { alertname: 'DiskFull' },
    openedAt: T0,
    resolvedAt: undefined,
    updatedAt: T0,
    reopenCount: 0,
    firingAlerts: 1,
    firingPages: severity === 'page' ? 1 : 0,
  };
}

const one = (matcher: string): Route => ({ name: 'r', matchers: [parseMatcher(matcher)], pagerduty: undefined, slack: '#matched', continue: false });

describe('route matchers', () => {
  const cases: { name: string; input: { matcher: string; severity: string | undefined; tier: Incident['severity'] }; expected: boolean }[] = [
    { name: 'severity="critical" matches an alert labelled critical', input: { matcher: 'severity="critical"', severity: 'critical', tier: 'page' }, expected: true },
    { name: 'severity="warning" matches an alert labelled warning', input: { matcher: 'severity="warning"', severity: 'warning', tier: 'ticket' }, expected: true },
    { name: 'severity="page" still matches a critical alert (its tier)', input: { matcher: 'severity="page"', severity: 'critical', tier: 'page' }, expected: true },
    { name: 'severity="ticket" still matches a warning alert (its tier)', input: { matcher: 'severity="ticket"', severity: 'warning', tier: 'ticket' }, expected: true },
    { name: 'severity="page" matches a ticket alert in an incident escalated to page', input: { matcher: 'severity="page"', severity: 'ticket', tier: 'page' }, expected: true },
    { name: 'severity="critical" does not match a warning alert', input: { matcher: 'severity="critical"', severity: 'warning', tier: 'ticket' }, expected: false },
    { name: 'severity=~"crit.*" matches a critical alert', input: { matcher: 'severity=~"crit.*"', severity: 'critical', tier: 'page' }, expected: true },
    { name: 'severity!="warning" does not match a warning alert', input: { matcher: 'severity!="warning"', severity: 'warning', tier: 'ticket' }, expected: false },
    { name: 'severity!="page" does not match a critical alert (it pages)', input: { matcher: 'severity!="page"', severity: 'critical', tier: 'page' }, expected: false },
    { name: 'severity!~"warning|info" matches a critical alert', input: { matcher: 'severity!~"warning|info"', severity: 'critical', tier: 'page' }, expected: true },
    { name: 'severity="ticket" matches an alert with no severity label (its tier)', input: { matcher: 'severity="ticket"', severity: undefined, tier: 'ticket' }, expected: true },
    { name: 'severity="" does not match an alert with no severity label (it has a tier)', input: { matcher: 'severity=""', severity: undefined, tier: 'ticket' }, expected: false },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    const settings = exampleSettings();
    const labels: Record<string, string> = { alertname: 'DiskFull', service: 'checkout', ...(input.severity === undefined ? {} : { severity: input.severity }) };
    const decision = route(incident(input.tier), labels, { ...settings.routing, routes: [one(input.matcher)] }, settings.catalog);
    expect(decision.targets.some((t) => t.destination === '#matched')).toBe(expected);
  });

  it('routes on the alert’s own severity label, Alertmanager-style, and names the route and the severity it saw', () => {
    const s = simulation();
    s.sim.settings.routing.routes = [
      { name: 'critical-to-sre', matchers: [parseMatcher('severity="critical"')], pagerduty: 'PD_SRE', slack: '#sre-critical', continue: true },
      { name: 'warnings', matchers: [parseMatcher('severity="warning"')], pagerduty: undefined, slack: '#warnings', continue: false },
      { name: 'pages', matchers: [parseMatcher('severity="page"')], pagerduty: 'owner', slack: 'owner', continue: false },
    ];
    s.sim.settings.routing.pagerdutyServices['PD_SRE'] = 'PD_KEY_SRE';
    s.alert({ alertname: 'DiskFull', service: 'checkout', severity: 'critical' }, 'firing', T0);
    s.clock.advance(MINUTE);
    s.alert({ alertname: 'DiskSlow', service: 'checkout', severity: 'warning' }, 'firing', T0);
    expect(s.sent()).toEqual([
      'trigger pagerduty PD_KEY_SRE DiskFull',
      'trigger slack #sre-critical DiskFull',
      'trigger pagerduty PD_KEY_CHECKOUT DiskFull',
      'trigger slack #checkout-oncall DiskFull',
      'trigger slack #warnings DiskSlow',
    ]);
    const routed = s.sim.newTimeline().filter((e) => e.kind === 'routed').map((e) => e.reason);
    expect(routed[0]).toMatch(/^matchers saw severity label "critical", tier page; route "critical-to-sre" matched \{severity="critical"\}: PagerDuty/);
    expect(routed[0]).toContain('route "pages" matched {severity="page"}: PagerDuty (PagerDuty service "PD_CHECKOUT")');
    expect(routed[1]).toBe('matchers saw severity label "warning", tier ticket; route "warnings" matched {severity="warning"}: Slack (channel #warnings)');
    expect(routed[1]).not.toContain('route "pages"');
  });
});
