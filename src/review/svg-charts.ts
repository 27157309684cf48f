/**
 * Inline SVG charts for the HTML review: no scripts, no external assets, fixed sizes, numbers
 * rounded to 0.1 px so the output is stable.
 */
import type { DayStat } from './review-model.js';

const W = 540;
const H = 220;
const PAD = { left: 56, right: 16, top: 16, bottom: 36 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

const r = (n: number) => String(Math.round(n * 10) / 10);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function frame(kind: string, title: string, body: string[]): string {
  return [
    `<svg class="chart ${kind}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function axes(yTicks: { y: number; label: string }[], xLabels: { x: number; label: string }[]): string[] {
  const out: string[] = [];
  for (const t of yTicks) {
    out.push(`<line x1="${PAD.left}" y1="${r(t.y)}" x2="${W - PAD.right}" y2="${r(t.y)}" stroke="#e3e6ea" stroke-width="1"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${r(t.y + 4)}" font-size="11" text-anchor="end" fill="#555">${esc(t.label)}</text>`);
  }
  for (const l of xLabels) {
    out.push(`<text x="${r(l.x)}" y="${H - PAD.bottom + 16}" font-size="11" text-anchor="middle" fill="#555">${esc(l.label)}</text>`);
  }
  out.push(`<line x1="${PAD.left}" y1="${PAD.top + PLOT_H}" x2="${W - PAD.right}" y2="${PAD.top + PLOT_H}" stroke="#888" stroke-width="1"/>`);
  out.push(`<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + PLOT_H}" stroke="#888" stroke-width="1"/>`);
  return out;
}

function dateLabels(days: readonly DayStat[], xOf: (i: number) => number): { x: number; label: string }[] {
  if (days.length === 0) return [];
  const every = Math.max(1, Math.ceil(days.length / 6));
  const out: { x: number; label: string }[] = [];
  for (let i = 0; i < days.length; i += every) out.push({ x: xOf(i), label: days[i]!.date.slice(5) });
  return out;
}

function legend(items: { color: string; label: string; dash?: boolean }[]): string[] {
  let x = PAD.left + 8;
  const out: string[] = [];
  for (const item of items) {
    out.push(
      `<line x1="${x}" y1="${H - 8}" x2="${x + 18}" y2="${H - 8}" stroke="${item.color}" stroke-width="2.5"${item.dash ? ' stroke-dasharray="5 4"' : ''}/>`,
    );
    out.push(`<text x="${x + 24}" y="${H - 4}" font-size="11" fill="#333">${esc(item.label)}</text>`);
    x += 30 + item.label.length * 6.2;
  }
  return out;
}

/** Width of the "before retention" label at 11 px, with a little room either side. */
const LABEL_W = 104;

/**
 * Shades each run of days before Prometheus's retention over the plot's height, behind the marks,
 * labelled "before retention" (across the run when it is wide enough, else upright along it) and
 * titled with its days: data no longer held, unlike a day without data, which is a gap.
 */
function beforeRetentionBands(days: readonly DayStat[]): string[] {
  const slot = days.length === 0 ? 0 : PLOT_W / days.length;
  const out: string[] = [];
  for (let i = 0; i < days.length; i++) {
    if (!days[i]!.beforeRetention || days[i - 1]?.beforeRetention) continue;
    let end = i + 1;
    while (days[end]?.beforeRetention) end++;
    const x = PAD.left + i * slot;
    const width = (end - i) * slot;
    const mid = x + width / 2;
    out.push(
      `<rect class="before-retention" x="${r(x)}" y="${PAD.top}" width="${r(width)}" height="${PLOT_H}" fill="#ebe6f5"><title>${days[i]!.date} to ${days[end - 1]!.date}: before Prometheus's retention, no longer held</title></rect>`,
    );
    if (width >= LABEL_W) {
      out.push(`<text class="before-retention" x="${r(mid)}" y="${PAD.top + 14}" font-size="11" text-anchor="middle" fill="#5b4a80">before retention</text>`);
    } else if (width >= 13) {
      const y = PAD.top + PLOT_H / 2;
      out.push(
        `<text class="before-retention" x="${r(mid + 4)}" y="${r(y)}" font-size="11" text-anchor="middle" fill="#5b4a80" transform="rotate(-90 ${r(mid + 4)} ${r(y)})">before retention</text>`,
      );
    }
  }
  return out;
}

/**
 * The burn-down's tick spacing (ratio): quarters up to 150%, halves up to 300%, then 1, 2 or 5 × 10ⁿ
 * so a heavily overspent budget (a full outage is −99,900% on a 99.9% SLO) keeps about six ticks.
 */
function tickStep(range: number): number {
  if (range <= 1.5) return 0.25;
  if (range <= 3) return 0.5;
  const rough = range / 6;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((m) => m >= rough) ?? 10 * magnitude;
}

/**
 * Error-budget burn-down: budget left at the end of each day (100% at the period's start) against the
 * ideal line that spends it evenly to 0% at the end. The budget is the held part's, so both lines
 * start after the days before Prometheus's retention that open the period, which are shaded.
 */
export function burnDownChart(days: readonly DayStat[], title: string): string {
  const n = days.length;
  const first = days.findIndex((d) => !d.beforeRetention);
  const held = first === -1 ? n : first;
  const lowest = Math.min(0, ...days.map((d) => d.budgetLeftAfter));
  const yMin = lowest < 0 ? Math.floor(lowest * 2) / 2 : 0;
  const yMax = 1;
  const xOf = (i: number) => PAD.left + (n === 0 ? 0 : (i / n) * PLOT_W);
  const yOf = (v: number) => PAD.top + ((yMax - v) / (yMax - yMin)) * PLOT_H;
  const step = tickStep(yMax - yMin);
  const ticks = [];
  const top = Math.floor(yMax / step + 1e-9) * step;
  for (let k = 0; top - k * step >= yMin - 1e-9; k++) {
    const v = top - k * step;
    ticks.push({ y: yOf(v), label: `${Math.round(v * 100)}%` });
  }
  const points = [
    `${r(xOf(held))},${r(yOf(1))}`,
    ...days.slice(held).map((d, i) => `${r(xOf(held + i + 1))},${r(yOf(d.budgetLeftAfter))}`),
  ];
  return frame('burn-down', title, [
    ...beforeRetentionBands(days),
    ...axes(ticks, dateLabels(days, (i) => xOf(i))),
    lowest < 0 ? `<line x1="${PAD.left}" y1="${r(yOf(0))}" x2="${W - PAD.right}" y2="${r(yOf(0))}" stroke="#c0392b" stroke-width="1"/>` : '',
    `<line class="ideal" x1="${r(xOf(held))}" y1="${r(yOf(1))}" x2="${r(xOf(n))}" y2="${r(yOf(0))}" stroke="#7f8c8d" stroke-width="2" stroke-dasharray="5 4"/>`,
    `<polyline class="actual" points="${points.join(' ')}" fill="none" stroke="#2166ac" stroke-width="2.5"/>`,
    ...legend([
      { color: '#2166ac', label: 'budget left' },
      { color: '#7f8c8d', label: 'ideal (even spend)', dash: true },
    ]),
  ].filter((s) => s !== ''));
}

/**
 * Daily error ratio as bars, red above the objective's error ratio (the budget), with that line. A
 * day without data is a grey column titled "no data"; days before Prometheus's retention are shaded
 * and labelled apart.
 */
export function dailyErrorRatioChart(days: readonly DayStat[], errorBudget: number, title: string): string {
  const n = days.length;
  const highest = Math.max(errorBudget * 2, ...days.map((d) => d.errorRatio ?? 0));
  const yMax = highest * 1.1;
  const slot = n === 0 ? PLOT_W : PLOT_W / n;
  const yOf = (v: number) => PAD.top + (1 - v / yMax) * PLOT_H;
  const digits = yMax < 0.001 ? 3 : yMax < 0.01 ? 2 : 1;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ y: yOf(f * yMax), label: `${(f * yMax * 100).toFixed(digits)}%` }));
  const bars = days.flatMap((d, i) => {
    if (d.beforeRetention) return [];
    const v = d.errorRatio;
    const x = PAD.left + i * slot + slot * 0.15;
    if (v === undefined) {
      return [`<rect class="no-data" x="${r(x)}" y="${PAD.top}" width="${r(slot * 0.7)}" height="${PLOT_H}" fill="#f2f2f2"><title>${d.date}: no data</title></rect>`];
    }
    const y = yOf(v);
    const color = v > errorBudget ? '#c0392b' : '#6baed6';
    return [
      `<rect class="day" x="${r(x)}" y="${r(y)}" width="${r(slot * 0.7)}" height="${r(Math.max(PAD.top + PLOT_H - y, v > 0 ? 1 : 0))}" fill="${color}"><title>${d.date}: ${(v * 100).toFixed(4)}%</title></rect>`,
    ];
  });
  return frame('daily-error-ratio', title, [
    ...beforeRetentionBands(days),
    ...axes(ticks, dateLabels(days, (i) => PAD.left + i * slot + slot / 2)),
    ...bars,
    `<line class="objective" x1="${PAD.left}" y1="${r(yOf(errorBudget))}" x2="${W - PAD.right}" y2="${r(yOf(errorBudget))}" stroke="#333" stroke-width="1.5" stroke-dasharray="6 3"/>`,
    ...legend([
      { color: '#6baed6', label: 'daily error ratio' },
      { color: '#c0392b', label: 'above objective' },
      { color: '#333', label: `objective (${(errorBudget * 100).toPrecision(3)}% errors)`, dash: true },
    ]),
  ]);
}
