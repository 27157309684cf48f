import type { Panel, ThresholdsConfig } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { resolveServices, type AlertingInput, type Slo } from '../slo/index.js';
import { sloRow } from './slo-row.js';

/** A 30d, 99.9% SLO with the default tiers: page 14.4× and 6×, ticket 3× and 1×. */
function anSlo(alerting: AlertingInput = {}): Slo {
  const [service] = resolveServices([
    {
      file: 'slos/catalog.ts',
      value: {
        name: 'catalog',
        description: 'Catalog',
        owner: { team: 'discovery' },
        slos: [
          {
            name: 'availability',
            objective: 99.9,
            sli: { kind: 'ratio', errors: 'sum(rate(req_total{code=~"5.."}[{{.window}}]))', total: 'sum(rate(req_total[{{.window}}]))' },
            alerting,
          },
        ],
      },
    },
  ]);
  return service!.slos[0]!;
}

/** The row's panels by slot (1 to 8), as Grafana receives them. */
function panelsOf(slo: Slo): Map<number, Panel> {
  return new Map(sloRow(slo, 0, 0, 'slo', 'aggregated').panels.map((b) => b.build()).map((p) => [p.id! - 100, p]));
}

const steps = (panel: Panel | undefined) =>
  ((panel?.fieldConfig?.defaults?.thresholds as ThresholdsConfig | undefined)?.steps ?? []).map((s) => [s.value, s.color]);
const notes = (panel: Panel | undefined) => (panel?.options as { content?: string } | undefined)?.content ?? '';

describe('an SLO row with an alert severity disabled', () => {
  const cases: {
    name: string;
    input: AlertingInput;
    expected: { steps: (number | null | string)[][]; notesLine: string | undefined; tierRows: string[]; windows: string[] };
  }[] = [
    {
      name: 'shows and draws every tier when both severities alert',
      input: {},
      expected: {
        steps: [[null, 'green'], [1, 'orange'], [3, 'orange'], [6, 'red'], [14.4, 'red']],
        notesLine: undefined,
        tierRows: ['| page | 14.4× | 1h and 5m |', '| page | 6× | 6h and 30m |', '| ticket | 3× | 1d and 2h |', '| ticket | 1× | 3d and 6h |'],
        windows: ['5m', '30m', '1h', '2h', '6h', '1d', '3d'],
      },
    },
    {
      name: 'leaves out the page tiers and says page alerts are disabled when page.disable is set',
      input: { page: { disable: true } },
      expected: {
        steps: [[null, 'green'], [1, 'orange'], [3, 'orange']],
        notesLine: 'Page alerts disabled.',
        tierRows: ['| ticket | 3× | 1d and 2h |', '| ticket | 1× | 3d and 6h |'],
        windows: ['2h', '6h', '1d', '3d'],
      },
    },
    {
      name: 'leaves out the ticket tiers and says ticket alerts are disabled when ticket.disable is set',
      input: { ticket: { disable: true } },
      expected: {
        steps: [[null, 'green'], [6, 'red'], [14.4, 'red']],
        notesLine: 'Ticket alerts disabled.',
        tierRows: ['| page | 14.4× | 1h and 5m |', '| page | 6× | 6h and 30m |'],
        windows: ['5m', '30m', '1h', '6h'],
      },
    },
    {
      name: 'lists no tier, turns amber at 1× and plots the 5m burn rate when both are disabled',
      input: { page: { disable: true }, ticket: { disable: true } },
      expected: { steps: [[null, 'green'], [1, 'orange']], notesLine: 'Page and ticket alerts disabled.', tierRows: [], windows: ['5m'] },
    },
  ];
  for (const { name, input, expected } of cases) {
    it(name, () => {
      const panels = panelsOf(anSlo(input));
      // Slot 3 is the burn-rate stat, slot 7 the burn rate by alert window: both coloured by the tiers.
      expect(steps(panels.get(3))).toEqual(expected.steps);
      expect(steps(panels.get(7))).toEqual(expected.steps);
      const text = notes(panels.get(4)).split('\n');
      expect(text.filter((l) => l.endsWith('alerts disabled.'))).toEqual(expected.notesLine === undefined ? [] : [expected.notesLine]);
      expect(text.filter((l) => /^\| (page|ticket) \|/.test(l))).toEqual(expected.tierRows);
      const byWindow = panels.get(7);
      expect((byWindow?.targets ?? []).map((t) => (t as { legendFormat?: string }).legendFormat)).toEqual(expected.windows);
      const severities = expected.tierRows.map((r) => r.split(' ')[1]);
      if (!severities.includes('page')) expect(byWindow?.description).not.toMatch(/page \d/);
      if (expected.notesLine !== undefined) expect(byWindow?.description).toContain(expected.notesLine.toLowerCase().replace(/\.$/, ''));
    });
  }
});
