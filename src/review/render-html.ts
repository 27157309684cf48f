import { OVERVIEW_HEAD, alertQualityCounts, overviewTitle, dateTime, incidentBudget, incidentDuration, incidentsRetentionNote, overviewRow, routerRetentionNote, percent, retentionNote, statusText, summaryRows, timeToDetect, verdictNote } from './format.js';
import type { Review, SloReview, Verdict } from './review-model.js';
import { periodLabel } from './review-period.js';
import { verdictOf } from './summarize.js';
import { burnDownChart, dailyErrorRatioChart } from './svg-charts.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2329; margin: 24px auto; max-width: 1180px; padding: 0 16px; }
h1 { font-size: 26px; margin-bottom: 4px; } h2 { margin-top: 36px; border-bottom: 2px solid #d0d7de; padding-bottom: 4px; }
h3 { margin-top: 28px; } .sub { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0 16px; } th, td { padding: 4px 10px; border-bottom: 1px solid #e1e4e8; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; }
.status-met { background: #dafbe1; color: #116329; } .status-at-risk { background: #fff8c5; color: #7d4e00; }
.status-missed { background: #ffebe9; color: #a40e26; } .status-no-data { background: #eaeef2; color: #57606a; }
.status-too-little-held { background: #ddf4ff; color: #0550ae; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .charts figure { margin: 0; } figcaption { font-size: 12px; color: #57606a; }
.slo { page-break-inside: avoid; } .warning { color: #9a6700; } .recommendation { margin: 2px 0; }
`;

function badge(verdict: Verdict): string {
  return `<span class="status status-${verdict.replace(/ /g, '-')}">${esc(statusText[verdict])}</span>`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const th = head.map((h, i) => `<th${numeric[i] ? ' class="num"' : ''}>${h}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`);
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs.join('\n')}\n</tbody></table>`;
}

/** The review as one self-contained HTML page: inline CSS and SVG, no scripts, no external assets. */
export function renderHtml(review: Review): string {
  const title = `SLO review ${periodLabel(review.period)}`;
  const parts: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${esc(title)}</h1>`,
    `<p class="sub">Compared with ${esc(periodLabel(review.previous))}. Event-weighted SLIs (1 − errors ÷ events over the period), read from Prometheus's raw series.</p>`,
    `<h2 id="overview">${esc(overviewTitle(review.slos))}</h2>`,
    table(
      OVERVIEW_HEAD,
      review.slos.map((s) => overviewRow(s, review.retention, `<a href="#${esc(s.slo.id)}">${esc(s.slo.id)}</a>`, esc(s.slo.team), badge)),
      [false, false, true, true, true, true, false, true, true],
    ),
  ];
  if (review.warnings.length > 0) {
    parts.push('<ul class="warnings">', ...review.warnings.map((w) => `<li class="warning">${esc(w)}</li>`), '</ul>');
  }
  for (const team of review.teams) {
    parts.push(`<h2 id="team-${esc(team.team)}">Team ${esc(team.team)}</h2>`);
    for (const id of team.sloIds) {
      const slo = review.slos.find((s) => s.slo.id === id);
      if (slo) parts.push(sloSection(slo, review));
    }
  }
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}

function sloSection(s: SloReview, { withIncidents, retention, routerRetention, period }: Review): string {
  const c = s.current;
  const out: string[] = [
    `<section class="slo" id="${esc(s.slo.id)}">`,
    `<h3>${esc(s.slo.id)} ${badge(verdictOf(c))}</h3>`,
    `<p class="sub">${s.slo.description === '' ? '' : `${esc(s.slo.description)}. `}Objective ${s.slo.objective}% (${esc(s.slo.sliKind)} SLI, ${esc(s.slo.window)} window, ${s.slo.weighting}-weighted).</p>`,
  ];
  const note = retentionNote(c, retention);
  if (note !== undefined) out.push(`<p class="retention">${esc(note)}</p>`);
  const noVerdict = verdictNote(c, retention);
  if (noVerdict !== undefined) out.push(`<p class="no-verdict">${esc(noVerdict)}</p>`);
  out.push(
    table(['', 'this period', 'previous period', 'change'], summaryRows(s), [false, true, true, true]),
  );
  if (c.status !== 'no data') {
    // The charts' own label may not fit a band of a day or two; the caption names it whatever its width.
    const shaded = s.days.some((d) => d.beforeRetention) ? "; shaded days are before Prometheus's retention, no longer held" : '';
    out.push(
      '<div class="charts">',
      `<figure>${burnDownChart(s.days, `${s.slo.id}: error budget left`)}<figcaption>Error budget left at the end of each day against even spending${shaded}</figcaption></figure>`,
      `<figure>${dailyErrorRatioChart(s.days, s.slo.errorBudget, `${s.slo.id}: daily error ratio`)}<figcaption>Daily error ratio; the dashed line is the objective; grey days had no SLI data${shaded}</figcaption></figure>`,
      '</div>',
    );
  }
  if (s.worstDays.length > 0) {
    out.push(
      '<h4>Worst days</h4>',
      table(['day', 'error ratio', 'budget spent'], s.worstDays.map((d) => [d.date, percent(d.errorRatio, 3), percent(d.budgetSpent)]), [false, true, true]),
    );
  }
  if (withIncidents) {
    const incidents = s.incidents ?? [];
    out.push('<h4>Incidents</h4>');
    if (incidents.length === 0) out.push('<p>None from the alert-router in this period.</p>');
    else {
      out.push(
        table(
          ['opened', 'incident', 'duration', 'severity', 'budget spent', 'paged', 'time to detect'],
          incidents.map((i) => [
            dateTime(i.openedAtMs),
            `${esc(i.title)} <small>(${esc(i.id)})</small>`,
            incidentDuration(i),
            esc(i.severity),
            incidentBudget(i),
            i.paged ? 'yes' : 'no',
            timeToDetect(i),
          ]),
          [false, false, true, false, true, false, true],
        ),
      );
    }
    for (const unknown of [incidentsRetentionNote(period, retention), routerRetentionNote(period, routerRetention)]) {
      if (unknown !== undefined) out.push(`<p class="retention">${esc(unknown)}</p>`);
    }
    const q = s.alertQuality;
    if (q) {
      out.push(`<p><strong>Alert quality</strong>: ${esc(alertQualityCounts(q, period, retention, routerRetention))}</p>`);
      const items = [
        ...q.unpagedBurns.map((b) => `no page: ${dateTime(b.startMs)} to ${dateTime(b.endMs)}, ${percent(b.budgetSpent)} of the budget`),
        ...q.noisePages.map((n) => `noise: ${esc(n.title)} (${esc(n.id)}), ${percent(n.wholeBudgetSpent, 2)} of the budget`),
      ];
      if (items.length > 0) out.push('<ul>', ...items.map((i) => `<li>${i}</li>`), '</ul>');
    }
  }
  if (s.recommendations.length > 0) {
    out.push(
      '<h4>Recommendations</h4>',
      '<ul>',
      ...s.recommendations.map((r) => `<li class="recommendation"><strong>${esc(r.action)}</strong>: ${esc(r.reason)}.</li>`),
      '</ul>',
    );
  }
  for (const w of s.warnings) out.push(`<p class="warning">Warning: ${esc(w)}</p>`);
  out.push('</section>');
  return out.join('\n');
}
