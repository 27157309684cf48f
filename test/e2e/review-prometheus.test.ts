/**
 * The SLO review against a real Prometheus: 60 days of synthetic data for the example SLOs are
 * backfilled with promtool, the generated rules are loaded, and the review's numbers are checked
 * against values computed directly from the synthetic counters. The HTML is rendered in headless
 * Chromium; the screenshot's path is printed.
 */
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServices } from '../../src/cli/load-slos.js';
import { main } from '../../src/cli/main.js';
import { reviewSummary, writeReview, type ReviewResult } from '../../src/cli/review.js';
import { AT_RISK_SPENT, type SloReview } from '../../src/review/review-model.js';
import type { Service } from '../../src/slo/index.js';
import { renderedSvgBoxes, screenshot } from '../support/chromium.js';
import { startIncidentApi, type IncidentApiFixture } from '../support/incident-api-fixture.js';
import { startPrometheus, waitFor, type PrometheusInstance } from '../support/prometheus.js';
import { backfillSynthetic, exactEvents, synthesize, type SloPlan, type SyntheticData } from '../support/review-synthetic.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
/** The data ends at the last UTC midnight; the review covers its last 30 days. */
const END = Math.floor(Date.now() / DAY) * DAY;
const FROM = END - 30 * DAY;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/**
 * The report's file name for [from, to): `YYYY-MM` when the days are exactly one calendar month
 * (the last 30 days are November on 1 December), else `from_to` with both days inclusive.
 */
function reportName(fromMs: number, toMs: number): string {
  const start = new Date(fromMs);
  const monthEnd = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
  return start.getUTCDate() === 1 && monthEnd === toMs ? date(fromMs).slice(0, 7) : `${date(fromMs)}_${date(toMs - DAY)}`;
}
const iso = (ms: number) => new Date(ms).toISOString();
/** The previous period starts a calendar month earlier when the period is a calendar month, else 30 days earlier. */
const PREV_FROM = reportName(FROM, END).length === 7 ? Date.UTC(new Date(FROM).getUTCFullYear(), new Date(FROM).getUTCMonth() - 1, 1) : FROM - 30 * DAY;

/** A ticket opened three days before the period and resolved an hour into it. */
const LATENCY_TICKET = { openedAtMs: FROM - 3 * DAY, resolvedAtMs: FROM + HOUR };
/** A page-less incident still open when the period ends. */
const PROBE_OPEN_AT = END - 2 * HOUR;

/** Bad stretches, each inside one day. */
const CHECKOUT_OUTAGE = { startMs: END - 10 * DAY + 14 * HOUR, endMs: END - 10 * DAY + 18 * HOUR, errorRatio: 0.06 };
const CATALOG_SLOWDOWN = { startMs: END - 5 * DAY + 2 * HOUR, endMs: END - 5 * DAY + 14 * HOUR, errorRatio: 0.3 };
const PROBE_DOWN = { startMs: END - 3 * DAY + 9 * HOUR, endMs: END - 3 * DAY + 10 * HOUR + 30 * MIN, errorRatio: 1 };
const PROBE_GAP = { startMs: END - 15 * DAY + 10 * HOUR, endMs: END - 15 * DAY + 12 * HOUR };

const PLANS: Record<string, SloPlan> = {
  'checkout-availability': { perStep: 6000, baseline: 0.0003, bad: [CHECKOUT_OUTAGE] },
  'checkout-latency': {
    perStep: 6000,
    baseline: 0.002,
    bad: [{ startMs: END - 20 * DAY, endMs: END - 19 * DAY, errorRatio: 0.03 }],
  },
  'catalog-read-latency': {
    perStep: 3000,
    baseline: 0.001,
    bad: [CATALOG_SLOWDOWN, { startMs: END - 40 * DAY + 6 * HOUR, endMs: END - 40 * DAY + 12 * HOUR, errorRatio: 0.2 }],
  },
  'payments-authorisations': { perStep: 20_000, baseline: 0.00005, bad: [] },
  'storefront-probe-availability': { perStep: 10, baseline: 0, bad: [PROBE_DOWN], gaps: [PROBE_GAP] },
  'alert-router-webhook-availability': { perStep: 600, baseline: 0.0001, bad: [] },
  'alert-router-webhook-latency': { perStep: 600, baseline: 0.001, bad: [] },
  'alert-router-notification-delivery': { perStep: 300, baseline: 0.0005, bad: [] },
  'alert-router-notification-timeliness': { perStep: 10, baseline: 0, bad: [] },
};

let data: SyntheticData;
let prom: PrometheusInstance;
let router: IncidentApiFixture;
let services: Service[];
let result: ReviewResult;
let outDir: string;
let tsdb: string;

function sloOf(id: string): SloReview {
  const s = result.review.slos.find((r) => r.slo.id === id);
  if (!s) throw new Error(`no review of ${id}`);
  return s;
}

function budgetOf(id: string): number {
  const slo = services.flatMap((s) => s.slos).find((s) => s.id === id);
  if (!slo) throw new Error(`no SLO ${id}`);
  return slo.errorBudget;
}

beforeAll(async () => {
  const t0 = performance.now();
  data = synthesize(END, 60, PLANS);
  tsdb = await mkdtemp(join(tmpdir(), 'slokit-review-tsdb-'));
  await backfillSynthetic(data, tsdb);
  const tBackfill = performance.now();
  const ruleFiles = (await readdir('rules')).filter((f) => f.endsWith('.yml')).sort().map((f) => join('rules', f));
  prom = await startPrometheus({
    tsdbPath: tsdb,
    ruleFiles,
    evaluationInterval: '1s',
    extraArgs: ['--storage.tsdb.retention.time=90d'],
  });
  // The rules' info series exist once every group has evaluated once.
  const loaded = await waitFor(async () => {
    const r = await prom.query('count(slokit_slo_info)');
    return r.resultType === 'vector' && Number(r.result[0]?.value[1] ?? 0) === 9;
  }, 30_000);
  expect(loaded).toBe(true);
  const tProm = performance.now();
  router = await startIncidentApi([
    {
      id: 'inc-checkout-outage',
      title: 'checkout/availability burning error budget (page)',
      service: 'checkout',
      slo: 'availability',
      severity: 'page',
      openedAt: iso(CHECKOUT_OUTAGE.startMs + 7 * MIN),
      resolvedAt: iso(CHECKOUT_OUTAGE.endMs + 5 * MIN),
      notifications: [
        { action: 'trigger', target: 'pagerduty', at: iso(CHECKOUT_OUTAGE.startMs + 9 * MIN) },
        { action: 'trigger', target: 'slack', at: iso(CHECKOUT_OUTAGE.startMs + 9 * MIN) },
        { action: 'resolve', target: 'pagerduty', at: iso(CHECKOUT_OUTAGE.endMs + 6 * MIN) },
      ],
    },
    {
      id: 'inc-router-blip',
      title: 'alert-router/notification-delivery burning error budget (page)',
      service: 'alert-router',
      slo: 'notification-delivery',
      severity: 'page',
      openedAt: iso(END - 7 * DAY + 3 * HOUR),
      resolvedAt: iso(END - 7 * DAY + 3 * HOUR + 10 * MIN),
      notifications: [{ action: 'trigger', target: 'pagerduty', at: iso(END - 7 * DAY + 3 * HOUR + 1 * MIN) }],
    },
    {
      id: 'inc-latency-ticket',
      title: 'checkout/latency burning error budget (ticket)',
      service: 'checkout',
      slo: 'latency',
      severity: 'ticket',
      openedAt: iso(LATENCY_TICKET.openedAtMs),
      resolvedAt: iso(LATENCY_TICKET.resolvedAtMs),
      notifications: [{ action: 'trigger', target: 'slack', at: iso(LATENCY_TICKET.openedAtMs + MIN) }],
    },
    {
      id: 'inc-probe-open',
      title: 'storefront/probe-availability burning error budget (ticket)',
      service: 'storefront',
      slo: 'probe-availability',
      severity: 'ticket',
      openedAt: iso(PROBE_OPEN_AT),
      resolvedAt: null,
      notifications: [],
    },
  ]);
  services = await loadServices(resolve('slos'));
  // Under the repository's ignored scratch directory, so the screenshot outlives the run for a person to look at.
  outDir = resolve('.tmp', 'review-e2e');
  await mkdir(outDir, { recursive: true });
  result = await writeReview(
    { prometheusUrl: prom.url, routerUrl: router.url, from: date(FROM), to: date(END - DAY), slosDir: 'slos', outDir, nowMs: Date.now() },
    services,
  );
  const s = (a: number, b: number) => ((b - a) / 1000).toFixed(1);
  console.log(
    `review-prometheus: synthesis and backfill ${s(t0, tBackfill)} s, Prometheus ready ${s(tBackfill, tProm)} s, review ${s(tProm, performance.now())} s`,
  );
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  await router?.close();
  if (tsdb) await rm(tsdb, { recursive: true, force: true });
});

describe('slokit review against a real Prometheus with 60 days of backfilled data', () => {
  it('reports every example SLO\'s attainment within 0.01 percentage points of the synthetic counters', () => {
    expect(result.review.slos.map((s) => s.slo.id).sort()).toEqual([...data.slos.keys()].sort());
    for (const id of data.slos.keys()) {
      const exact = exactEvents(data, id, FROM, END);
      const exactPrev = exactEvents(data, id, PREV_FROM, FROM);
      const review = sloOf(id);
      const attainment = 1 - exact.errors / exact.total;
      const previous = 1 - exactPrev.errors / exactPrev.total;
      console.log(
        `  ${id}: attained ${(review.current.attainment! * 100).toFixed(4)}% (exact ${(attainment * 100).toFixed(4)}%), ` +
          `previous ${(review.previous.attainment! * 100).toFixed(4)}% (exact ${(previous * 100).toFixed(4)}%), ` +
          `budget spent ${(review.current.budgetSpent! * 100).toFixed(2)}%, ${review.current.status}`,
      );
      expect(Math.abs(review.current.attainment! - attainment) * 100, id).toBeLessThan(0.01);
      expect(Math.abs(review.previous.attainment! - previous) * 100, id).toBeLessThan(0.01);
      const spent = exact.errors / exact.total / budgetOf(id);
      expect(review.current.budgetSpent!, id).toBeCloseTo(spent, 3);
      expect(review.current.budgetLeft!, id).toBeCloseTo(1 - spent, 3);
      const status = spent > 1 ? 'missed' : spent > AT_RISK_SPENT ? 'at risk' : 'met';
      expect(review.current.status, id).toBe(status);
      expect(review.history[2]?.status, `${id} has no data 60-90 days back`).toBe('no data');
    }
  });

  it('shows one SLO met, one at risk and one missed, least budget left first', () => {
    expect(sloOf('checkout-availability').current.status).toBe('at risk');
    expect(sloOf('catalog-read-latency').current.status).toBe('missed');
    expect(sloOf('payments-authorisations').current.status).toBe('met');
    expect(sloOf('catalog-read-latency').previous.status).toBe('met');
    const left = result.review.slos.map((s) => s.current.budgetLeft!);
    expect(left).toEqual([...left].sort((a, b) => a - b));
    expect(result.review.slos[0]!.slo.id).toBe('catalog-read-latency');
  });

  it('finds the worst days where the bad stretches were', () => {
    expect(sloOf('checkout-availability').worstDays[0]?.date).toBe(date(CHECKOUT_OUTAGE.startMs));
    expect(sloOf('catalog-read-latency').worstDays[0]?.date).toBe(date(CATALOG_SLOWDOWN.startMs));
    expect(sloOf('checkout-latency').worstDays[0]?.date).toBe(date(END - 20 * DAY));
    const day = sloOf('checkout-availability').worstDays[0]!;
    const exactDay = exactEvents(data, 'checkout-availability', day.startMs, day.startMs + DAY);
    expect(day.errorRatio!).toBeCloseTo(exactDay.errors / exactDay.total, 8);
  });

  it('measures the paged incident: the budget it spent and 9 minutes from the burn to the page', () => {
    const [incident] = sloOf('checkout-availability').incidents!;
    expect(incident?.paged).toBe(true);
    expect(incident?.burnStartMs).toBe(CHECKOUT_OUTAGE.startMs);
    expect(incident?.timeToDetectMs).toBe(9 * MIN);
    const period = exactEvents(data, 'checkout-availability', FROM, END);
    const during = exactEvents(data, 'checkout-availability', CHECKOUT_OUTAGE.startMs, CHECKOUT_OUTAGE.endMs + 5 * MIN);
    expect(incident!.budgetSpent).toBeCloseTo(during.errors / (budgetOf('checkout-availability') * period.total), 6);
    expect(incident!.budgetSpent).toBeGreaterThan(0.4);
  });

  it('counts an incident that began before the period with only the budget spent inside it, and marks one still open at its end', async () => {
    const [ticket] = sloOf('checkout-latency').incidents!;
    expect(ticket?.id).toBe('inc-latency-ticket');
    const period = exactEvents(data, 'checkout-latency', FROM, END);
    const inside = exactEvents(data, 'checkout-latency', FROM, LATENCY_TICKET.resolvedAtMs);
    expect(ticket!.budgetSpent).toBeCloseTo(inside.errors / (budgetOf('checkout-latency') * period.total), 6);
    expect(ticket).toMatchObject({ openAtPeriodEnd: false, durationMs: 3 * DAY + HOUR, paged: false });
    const [open] = sloOf('storefront-probe-availability').incidents!;
    expect(open).toMatchObject({ id: 'inc-probe-open', openAtPeriodEnd: true, durationMs: 2 * HOUR });
    const md = await readFile(result.markdownPath, 'utf8');
    expect(md).toContain("| 2 h, open at the period's end | ticket |");
  });

  it('calls a page that spent under 1% noise and a page-worthy burn without a page missed', () => {
    const delivery = sloOf('alert-router-notification-delivery');
    expect(delivery.alertQuality?.noisePages.map((i) => i.id)).toEqual(['inc-router-blip']);
    expect(delivery.recommendations.map((r) => r.kind)).toContain('noisy-pages');
    const catalog = sloOf('catalog-read-latency');
    expect(catalog.alertQuality?.unpagedBurns).toHaveLength(1);
    const burn = catalog.alertQuality!.unpagedBurns[0]!;
    expect(burn.startMs).toBe(CATALOG_SLOWDOWN.startMs);
    expect(burn.endMs).toBe(CATALOG_SLOWDOWN.endMs);
    const period = exactEvents(data, 'catalog-read-latency', FROM, END);
    const during = exactEvents(data, 'catalog-read-latency', CATALOG_SLOWDOWN.startMs, CATALOG_SLOWDOWN.endMs);
    expect(burn.budgetSpent).toBeCloseTo(during.errors / (budgetOf('catalog-read-latency') * period.total), 6);
    // The catalog SLO has its page alerts disabled: the recommendation says so.
    expect(catalog.recommendations.find((r) => r.kind === 'missed-pages')?.action).toContain('alerting.page.disable');
    expect(sloOf('checkout-availability').alertQuality).toEqual({ noisePages: [], unpagedBurns: [] });
  });

  it('reports the probe\'s two hours without data as a gap to fix', () => {
    const probe = sloOf('storefront-probe-availability');
    expect(probe.gaps).toEqual([{ startMs: PROBE_GAP.startMs, endMs: PROBE_GAP.endMs }]);
    expect(probe.recommendations.find((r) => r.kind === 'data-gaps')?.reason).toContain('2 hour(s)');
  });

  it('writes Markdown and HTML named after the period, with no warnings when every rule is loaded', async () => {
    expect(result.review.warnings).toEqual([]);
    const name = reportName(FROM, END);
    expect(result.markdownPath).toBe(join(outDir, `${name}.md`));
    const md = await readFile(result.markdownPath, 'utf8');
    expect(md).toContain(`# SLO review ${date(FROM)} – ${date(END - DAY)}`);
    expect(md).toContain('## Team checkout');
    const html = await readFile(result.htmlPath, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|href="http/);
  });

  it('renders the HTML in headless Chromium with every chart visible', async () => {
    const png = join(outDir, `${reportName(FROM, END)}.png`);
    const bytes = await screenshot(result.htmlPath, png);
    console.log(`review-prometheus: screenshot of the review's first page: ${png} (${bytes} bytes)`);
    expect(bytes).toBeGreaterThan(50_000);
    const boxes = await renderedSvgBoxes(result.htmlPath);
    expect(boxes.filter((b) => b.className.includes('burn-down'))).toHaveLength(9);
    expect(boxes.filter((b) => b.className.includes('daily-error-ratio'))).toHaveLength(9);
    for (const box of boxes) {
      expect(box.width).toBeGreaterThan(300);
      expect(box.height).toBeGreaterThan(100);
      expect(box.marks).toBeGreaterThan(10);
    }
  }, 120_000);

  it('recommends tightening an SLO met with most of its budget unspent for three periods, and only then', async () => {
    // Three 14-day periods fit in the 60 days: payments spent about 10% of its budget in each.
    const out = await mkdtemp(join(tmpdir(), 'slokit-review-out-'));
    try {
      const r = await writeReview(
        { prometheusUrl: prom.url, from: date(END - 14 * DAY), to: date(END - DAY), slosDir: 'slos', outDir: out, nowMs: Date.now() },
        services,
      );
      const kindsOf = (id: string) => r.review.slos.find((s) => s.slo.id === id)?.recommendations.map((x) => x.kind) ?? [];
      const payments = r.review.slos.find((s) => s.slo.id === 'payments-authorisations')!;
      expect(payments.history.map((p) => p.status)).toEqual(['met', 'met', 'met']);
      for (const p of payments.history) {
        const exact = exactEvents(data, 'payments-authorisations', p.period.startMs, p.period.endMs);
        expect(Math.abs(p.attainment! - (1 - exact.errors / exact.total)) * 100).toBeLessThan(0.01);
      }
      expect(kindsOf('payments-authorisations')).toContain('tighten');
      // Checkout's outage spent most of one period's budget: not a candidate.
      expect(kindsOf('checkout-availability')).not.toContain('tighten');
      expect(r.markdownPath).toBe(join(out, `${reportName(END - 14 * DAY, END)}.md`));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('does not count a period mostly before the data began as met: no tightening on 18 of 21 days', async () => {
    // Three 21-day periods need 63 days; the data holds 60, so the oldest period has 18 days of it.
    const out = await mkdtemp(join(tmpdir(), 'slokit-review-out-'));
    try {
      const r = await writeReview(
        { prometheusUrl: prom.url, from: date(END - 21 * DAY), to: date(END - DAY), slosDir: 'slos', outDir: out, nowMs: Date.now() },
        services,
      );
      const payments = r.review.slos.find((s) => s.slo.id === 'payments-authorisations')!;
      expect(payments.history.map((p) => p.status)).toEqual(['met', 'met', 'met']);
      expect(payments.history[2]!.hoursWithData).toBe(18 * 24);
      expect(payments.recommendations.map((x) => x.kind)).not.toContain('tighten');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('warns when an SLO\'s rules are not loaded, and fails clearly on an empty range or an unreachable Prometheus', async () => {
    const bare = await startPrometheus({ tsdbPath: await mkdtemp(join(tmpdir(), 'slokit-review-empty-')) });
    const out = await mkdtemp(join(tmpdir(), 'slokit-review-out-'));
    try {
      const lines: string[] = [];
      const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
      // An empty TSDB: no data in the range for any SLO.
      const empty = await main(['review', '--prometheus', bare.url, '--from', date(FROM), '--to', date(END - DAY), '--out', out], io);
      expect(empty).toBe(1);
      expect(lines.join('')).toMatch(new RegExp(`no SLI data between ${date(FROM)} and ${date(END - DAY)} for any SLO \\(alert-router-notification-delivery, `));
      lines.length = 0;
      const down = await main(['review', '--prometheus', 'http://127.0.0.1:9', '--out', out], io);
      expect(down).toBe(3);
      expect(lines.join('')).toContain('Prometheus at http://127.0.0.1:9 is unreachable');
      lines.length = 0;
      const usage = await main(['review', '--prometheus', prom.url, '--from', '2026-13-01', '--out', out], io);
      expect(usage).toBe(2);
      expect(lines.join('')).toContain('--from "2026-13-01" is not a date');
      lines.length = 0;
      // Today is not over: its remaining hours would read as a data gap.
      const today = await main(['review', '--prometheus', prom.url, '--from', date(FROM), '--to', date(END), '--out', out], io);
      expect(today).toBe(2);
      expect(lines.join('')).toBe(`slokit: --to ${date(END)} is not over yet: the last full day is ${date(END - DAY)} (UTC)\n`);
      expect(await readdir(out)).toEqual([]);
      lines.length = 0;
      const ok = await main(['review', '--prometheus', prom.url, '--router', router.url, '--from', date(FROM), '--to', date(END - DAY), '--out', out], io);
      expect(ok).toBe(0);
      expect(lines.join('')).toBe(
        `slokit: 9 SLOs: 7 met, 1 at risk, 1 missed\n  wrote ${join(out, `${reportName(FROM, END)}.md`)}\n` +
          `  wrote ${join(out, `${reportName(FROM, END)}.html`)}\n`,
      );
      // The same data gives the same files, byte for byte.
      expect(await readFile(join(out, `${reportName(FROM, END)}.html`), 'utf8')).toBe(await readFile(result.htmlPath, 'utf8'));
    } finally {
      await bare.stop();
      await rm(out, { recursive: true, force: true });
    }
    // The backfilled data with no rules loaded: the review still works from the SLI, and says so.
    const noRules = await startPrometheus({ tsdbPath: tsdb, extraArgs: ['--storage.tsdb.retention.time=90d'] });
    const out2 = await mkdtemp(join(tmpdir(), 'slokit-review-out-'));
    try {
      const r = await writeReview({ prometheusUrl: noRules.url, from: date(FROM), to: date(END - DAY), slosDir: 'slos', outDir: out2, nowMs: Date.now() }, services);
      expect(r.review.warnings).toContain(
        'the rules of checkout-availability are not loaded in Prometheus (no rule group or rule for it in /api/v1/rules): its alerts cannot fire',
      );
      expect(r.review.slos.find((s) => s.slo.id === 'checkout-availability')?.recommendations.map((x) => x.kind)).toContain('rules-not-loaded');
      expect(r.review.withIncidents).toBe(false);
      expect(r.review.slos.find((s) => s.slo.id === 'checkout-availability')?.current.attainment).toBeCloseTo(
        sloOf('checkout-availability').current.attainment!,
        10,
      );
    } finally {
      await noRules.stop();
      await rm(out2, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('slokit review when scrapes do not land on the hour', () => {
  it('still reports attainment within 0.01 percentage points: rate extrapolates over the hour edges', async () => {
    // Every sample 2m17s after the 5-minute mark: each hour's increase is extrapolated at both ends.
    const shifted = synthesize(END, 60, PLANS, 137_000);
    const dir = await mkdtemp(join(tmpdir(), 'slokit-review-tsdb-'));
    const out = await mkdtemp(join(tmpdir(), 'slokit-review-out-'));
    let shiftedProm: PrometheusInstance | undefined;
    try {
      await backfillSynthetic(shifted, dir);
      shiftedProm = await startPrometheus({ tsdbPath: dir, extraArgs: ['--storage.tsdb.retention.time=90d'] });
      const slos = await loadServices(resolve('slos'));
      const r = await writeReview({ prometheusUrl: shiftedProm.url, from: date(FROM), to: date(END - DAY), slosDir: 'slos', outDir: out, nowMs: Date.now() }, slos);
      let worst = 0;
      for (const id of shifted.slos.keys()) {
        const exact = exactEvents(shifted, id, FROM, END);
        const attained = r.review.slos.find((s) => s.slo.id === id)!.current.attainment!;
        const off = Math.abs(attained - (1 - exact.errors / exact.total)) * 100;
        worst = Math.max(worst, off);
        expect(off, id).toBeLessThan(0.01);
      }
      console.log(`review-prometheus: with scrapes off the hour, the largest attainment error is ${worst.toExponential(2)} percentage points`);
    } finally {
      await shiftedProm?.stop();
      await rm(dir, { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('slokit review over a period longer than Prometheus keeps', () => {
  it('tells the days before its retention apart from gaps, and falls back to calling them gaps when Prometheus does not say', async () => {
    // 40 days in 5-day blocks under a 10-day retention: Prometheus deletes the blocks that ended over
    // 10 days before the newest, so it holds the last 10 to 15 days of the 30 reviewed. The probe's
    // gap is 3 hours two days back, well inside what it holds.
    const lateGap = { startMs: END - 2 * DAY + 4 * HOUR, endMs: END - 2 * DAY + 7 * HOUR };
    const plans = { ...PLANS, 'storefront-probe-availability': { ...PLANS['storefront-probe-availability']!, gaps: [lateGap] } };
    const short = synthesize(END, 40, plans);
    const dir = await mkdtemp(join(tmpdir(), 'slokit-review-tsdb-'));
    const out = await mkdtemp(join(tmpdir(), 'slokit-review-out-'));
    let shortProm: PrometheusInstance | undefined;
    try {
      await backfillSynthetic(short, dir, '120h');
      shortProm = await startPrometheus({ tsdbPath: dir, extraArgs: ['--storage.tsdb.retention.time=10d'] });
      const slos = await loadServices(resolve('slos'));
      const nowMs = Date.now();
      const heldFrom = Math.ceil((nowMs - 10 * DAY) / HOUR) * HOUR;
      const options = { prometheusUrl: shortProm.url, routerUrl: router.url, from: date(FROM), to: date(END - DAY), slosDir: 'slos', outDir: out, nowMs };
      const r = await writeReview(options, slos);
      const payments = r.review.slos.find((s) => s.slo.id === 'payments-authorisations')!;
      const held = payments.current.hoursWithData;
      const gone = 30 * 24 - held;
      expect(gone, 'hours before retention').toBeGreaterThanOrEqual(15 * 24);
      expect(gone).toBeLessThanOrEqual(20 * 24);
      expect(payments.current.hoursBeforeRetention).toBe(gone);
      expect(payments.gaps).toEqual([]);
      expect(payments.recommendations.map((x) => x.kind)).not.toContain('data-gaps');
      const exact = exactEvents(short, 'payments-authorisations', END - held * HOUR, END);
      expect(Math.abs(payments.current.attainment! - (1 - exact.errors / exact.total)) * 100).toBeLessThan(0.01);
      const probe = r.review.slos.find((s) => s.slo.id === 'storefront-probe-availability')!;
      expect(probe.gaps).toEqual([lateGap]);

      const md = await readFile(r.markdownPath, 'utf8');
      const since = `${new Date(heldFrom).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      const days = (h: number) => (h % 24 === 0 ? `${h / 24} d` : `${Math.floor(h / 24)} d ${h % 24} h`);
      expect(md).toContain(
        `Prometheus no longer holds ${days(gone)} of this period: it is before Prometheus's retention (10d, since ${since}), not a gap in the SLI's data. ` +
          `Attainment and budget cover the ${days(held)} it holds.`,
      );
      expect(md).toMatch(new RegExp(`\\| attained \\| \\d+\\.\\d{3}% \\(over ${days(held)} of 30 d\\) \\|`));
      expect(md).toMatch(new RegExp(`\\| payments-authorisations \\| [a-z-]+ \\| [\\d.]+% \\| \\d+\\.\\d{3}% \\(over ${days(held)} of 30 d\\) \\|`));
      expect(md).toContain(`| SLI data for | ${days(held)} of 30 d (partial: ${days(gone)} before retention) |`);
      // The previous period is all before retention: it says so, in the SLO's table and in the overview.
      expect(md).toMatch(new RegExp(`\\| attained \\| \\d+\\.\\d{3}% \\(over ${days(held)} of 30 d\\) \\| none held: before Prometheus's retention \\| — \\|`));
      expect(md).toMatch(/\| payments-authorisations \|( [^|]+ \|){6} none held: before Prometheus's retention \| — \|/);
      // With 10 to 15 of 30 days held, no SLO is met or missed: each says why, in its section and in the overview.
      const why = `SLI data for ${Math.floor((held / (30 * 24)) * 100)}% of the period's hours; Prometheus holds data from ${since}`;
      expect(md).toContain('### payments-authorisations: too little held to judge');
      expect(md).toContain(`Too little held to judge: ${why}. A met or missed verdict needs SLI data for at least 90% of the period's hours.`);
      expect(md).toMatch(new RegExp(`\\| payments-authorisations \\|( [^|]+ \\|){5} too little held to judge: ${why} \\|`));
      expect(md).toContain('| objective met | — | — |  |');
      expect(md).not.toMatch(/^### .*: (met|at risk|missed)$/m);
      expect(reviewSummary(r)).toBe(`slokit: 9 SLOs: 0 met, 0 at risk, 0 missed, 9 too little held to judge\n  wrote ${r.markdownPath}\n  wrote ${r.htmlPath}\n`);
      expect(md).toContain(
        `- Fix the SLI's data: scrape failures or a missing exporter hide both good and bad events: 3 hour(s) without SLI data in 1 gap(s), the longest 3 h (not counting the ${gone} h before Prometheus's retention).`,
      );
      // The alert-router keeps the ticket that closed an hour into the period; the SLI of it is gone.
      const ticketRow = `| ${iso(LATENCY_TICKET.openedAtMs).slice(0, 16).replace('T', ' ')} UTC | checkout/latency burning error budget (ticket) (inc-latency-ticket) | 3 d 1 h | ticket | unknown: before retention | no | unknown: before retention |`;
      expect(md).toContain(ticketRow);
      const notKnown = `Prometheus holds the SLI from ${since} on: burns that paged nobody before then are not known, and an alert-router incident before then has no known budget spent or time to detect, nor is its page judged as noise.`;
      expect(md.split(notKnown)).toHaveLength(9 + 1);
      expect(md).toMatch(new RegExp(`\\*\\*Alert quality\\*\\*: \\d+ noisy page\\(s\\) \\(under 1% of the budget\\), \\d+ burn\\(s\\) with no page since ${since}\\.`));
      const html = await readFile(r.htmlPath, 'utf8');
      expect(html).toContain(`<p class="retention">${notKnown}</p>`);
      expect(html).toContain(`<td>ticket</td><td class="num">unknown: before retention</td><td>no</td><td class="num">unknown: before retention</td>`);
      expect(html).toContain(`<td><span class="status status-too-little-held">too little held to judge</span>: ${why}</td>`);
      // The charts shade the whole days before retention, in both charts of each of the 9 SLOs, and draw none of them as a day without data.
      const goneDays = `${date(FROM)} to ${date(FROM + (Math.floor(gone / 24) - 1) * DAY)}: before Prometheus's retention, no longer held`;
      expect(html.split(goneDays)).toHaveLength(2 * 9 + 1);
      expect(html).not.toContain(': no data</title>');
      // No rules are loaded here: those warnings are expected, none about retention.
      const aboutRetention = (warnings: readonly string[]) => warnings.filter((w) => w.includes('retention'));
      expect(aboutRetention(r.review.warnings)).toEqual([]);

      // A Prometheus (or a proxy in front of it) that does not answer runtimeinfo: the review still
      // works, counts every hour without data as a gap as before, and says so once.
      const noRuntimeInfo: typeof fetch = async (input, init) =>
        String(input).endsWith('/api/v1/status/runtimeinfo') ? new Response('404 page not found', { status: 404 }) : fetch(input, init);
      const blind = await writeReview({ ...options, fetch: noRuntimeInfo }, slos);
      expect(aboutRetention(blind.review.warnings)).toEqual([
        "could not learn where Prometheus's retention begins (Prometheus at " +
          `${shortProm.url} refused "GET /api/v1/status/runtimeinfo": HTTP 404, not a Prometheus API answer: 404 page not found): every hour without SLI data counts as a gap`,
      ]);
      const blindPayments = blind.review.slos.find((s) => s.slo.id === 'payments-authorisations')!;
      expect(blindPayments.current.attainment).toBe(payments.current.attainment);
      expect(blindPayments.recommendations.find((x) => x.kind === 'data-gaps')?.reason).toBe(`${gone} hour(s) without SLI data in 1 gap(s), the longest ${gone} h`);
      const blindMd = await readFile(blind.markdownPath, 'utf8');
      expect(blindMd).not.toContain('no longer holds');
      expect(blindMd).not.toContain('none held');
      expect(blindMd).not.toContain('not known');
    } finally {
      await shortProm?.stop();
      await rm(dir, { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
