import { describe, expect, it } from 'vitest';
import { identityLabelKeys, record, resolveServices, type LabelStyle, type Service } from '../slo/index.js';
import { overviewCountQueries, overviewTableQueries, sloIdMatcher } from './overview-queries.js';

const ratio = { kind: 'ratio' as const, errors: 'sum(rate(req_total{code=~"5.."}[{{.window}}]))', total: 'sum(rate(req_total[{{.window}}]))' };

/** Two services, three SLOs: checkout-availability, checkout-latency, search-availability. */
function examples(): Service[] {
  const service = (name: string, slos: string[]) => ({
    file: `slos/${name}.ts`,
    value: { name, description: name, owner: { team: 'core' }, slos: slos.map((slo) => ({ name: slo, objective: 99.9, sli: ratio })) },
  });
  return resolveServices([service('checkout', ['availability', 'latency']), service('search', ['availability'])]);
}

const IDS = 'checkout-availability|checkout-latency|search-availability';

/** Every selector of `name` in `expr`, as the text between its braces ('' for a bare name). */
function selectorsOf(expr: string, name: string): string[] {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...expr.matchAll(new RegExp(`(?<![\\w:])${escaped}(?![\\w:])(\\{[^}]*\\})?`, 'g'))].map((m) => m[1] ?? '');
}

describe('overview queries', () => {
  const styles: LabelStyle[] = ['slo', 'sloth'];
  for (const style of styles) {
    it(`select only the generated SLOs in every table and count query (${style} label style)`, () => {
      const services = examples();
      const id = identityLabelKeys(style).id;
      const recordings = [
        record.info(style),
        record.objective,
        record.errorBudget,
        record.periodBurnRate,
        record.periodErrorBudgetRemaining,
        record.currentBurnRate,
        // The page tiers' windows, which burn ÷ page threshold reads.
        ...['5m', '30m', '1h', '6h'].map((w) => record.errorRatio(w)),
      ];
      const queries = { ...overviewTableQueries(services, style), ...overviewCountQueries(services, style) };
      for (const [ref, expr] of Object.entries(queries)) {
        let selectors = 0;
        for (const name of recordings) {
          for (const sel of selectorsOf(expr, name)) {
            selectors++;
            expect(sel, `${ref}: ${name}`).toMatch(new RegExp(`${id}=~"${IDS.replace(/\|/g, '\\|')}"|${id}="(${IDS})"`));
          }
        }
        // ALERTS carry slo_id whatever the label style.
        for (const sel of selectorsOf(expr, 'ALERTS')) {
          selectors++;
          expect(sel, `${ref}: ALERTS`).toContain(`slo_id=~"${IDS}"`);
        }
        expect(selectors, ref).toBeGreaterThan(0);
      }
    });
  }

  it('count the generated SLOs and their spent budgets and alerts, not every SLO in Prometheus', () => {
    expect(overviewCountQueries(examples(), 'slo')).toEqual({
      slos: `count(slokit_slo_info{slo_id=~"${IDS}"})`,
      outOfBudget: `count(slo:period_error_budget_remaining:ratio{slo_id=~"${IDS}"} < 0) or vector(0)`,
      paging: `count(ALERTS{alertstate="firing", alertname="SLOErrorBudgetBurnPage", slo_id=~"${IDS}"}) or vector(0)`,
      ticketing: `count(ALERTS{alertstate="firing", alertname=~"SLOErrorBudgetBurnTicket|SLOSLINoData|SLOLatencyBucketMissing", slo_id=~"${IDS}"}) or vector(0)`,
    });
  });
});

describe('sloIdMatcher', () => {
  const cases = [
    { name: 'matches the ids as alternatives', input: ['a-b', 'c'], expected: 'slo_id=~"a-b|c"' },
    { name: 'escapes regex metacharacters so an id matches only itself', input: ['a.b', 'c+d', 'e|f'], expected: 'slo_id=~"a\\\\.b|c\\\\+d|e\\\\|f"' },
  ];
  for (const { name, input, expected } of cases) it(name, () => expect(sloIdMatcher(input, 'slo_id')).toBe(expected));
});
