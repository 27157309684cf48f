import { OVERVIEW_HEAD, alertQualityCounts, overviewTitle, dateTime, incidentBudget, incidentDuration, incidentsRetentionNote, overviewRow, routerRetentionNote, percent, retentionNote, statusText, summaryRows, timeToDetect, verdictNote } from './format.js';
import type { Review, SloReview } from './review-model.js';
import { periodLabel } from './review-period.js';
import { verdictOf } from './summarize.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;

/** The review as Markdown: the overview table, then each team's SLOs. Deterministic. */
export function renderMarkdown(review: Review): string {
  const lines: string[] = [
    `# SLO review ${periodLabel(review.period)}`,
    '',
    `Compared with ${periodLabel(review.previous)}. Computed from each SLO's SLI over Prometheus's raw series (event-weighted: 1 − errors ÷ events over the period).`,
    '',
    `## ${overviewTitle(review.slos)}`,
    '',
    row(OVERVIEW_HEAD),
    row(['---', '---', '---:', '---:', '---:', '---:', '---', '---:', '---:']),
    ...review.slos.map((s) => row(overviewRow(s, review.retention, s.slo.id, s.slo.team, (v) => statusText[v]))),
    '',
  ];
  if (review.warnings.length > 0) {
    lines.push('**Warnings**', '', ...review.warnings.map((w) => `- ${w}`), '');
  }
  for (const team of review.teams) {
    lines.push(`## Team ${team.team}`, '');
    for (const id of team.sloIds) {
      const slo = review.slos.find((s) => s.slo.id === id);
      if (slo) lines.push(...sloSection(slo, review), '');
    }
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function sloSection(s: SloReview, { withIncidents, retention, routerRetention, period }: Review): string[] {
  const c = s.current;
  const out = [
    `### ${s.slo.id}: ${statusText[verdictOf(c)]}`,
    '',
    `${s.slo.description === '' ? '' : `${s.slo.description}. `}Objective ${s.slo.objective}% (${s.slo.sliKind} SLI, ${s.slo.window} window, ${s.slo.weighting}-weighted).`,
    '',
    ...[retentionNote(c, retention), verdictNote(c, retention)].flatMap((n) => (n === undefined ? [] : [n, ''])),
    row(['', 'this period', 'previous period', 'change']),
    row(['---', '---:', '---:', '---:']),
    ...summaryRows(s).map(row),
    '',
  ];
  if (s.worstDays.length > 0) {
    out.push('**Worst days**', '', row(['day', 'error ratio', 'budget spent']), row(['---', '---:', '---:']));
    for (const d of s.worstDays) out.push(row([d.date, percent(d.errorRatio, 3), percent(d.budgetSpent)]));
    out.push('');
  }
  if (withIncidents) {
    const incidents = s.incidents ?? [];
    if (incidents.length === 0) out.push('**Incidents**: none from the alert-router in this period.', '');
    else {
      out.push('**Incidents**', '', row(['opened', 'incident', 'duration', 'severity', 'budget spent', 'paged', 'time to detect']), row(['---', '---', '---:', '---', '---:', '---', '---:']));
      for (const i of incidents) {
        out.push(
          row([
            dateTime(i.openedAtMs),
            `${i.title} (${i.id})`,
            incidentDuration(i),
            i.severity,
            incidentBudget(i),
            i.paged ? 'yes' : 'no',
            timeToDetect(i),
          ]),
        );
      }
      out.push('');
    }
    for (const unknown of [incidentsRetentionNote(period, retention), routerRetentionNote(period, routerRetention)]) {
      if (unknown !== undefined) out.push(unknown, '');
    }
    const q = s.alertQuality;
    if (q) {
      out.push(`**Alert quality**: ${alertQualityCounts(q, period, retention, routerRetention)}`, '');
      for (const b of q.unpagedBurns) out.push(`- no page: ${dateTime(b.startMs)} to ${dateTime(b.endMs)}, ${percent(b.budgetSpent)} of the budget`);
      for (const n of q.noisePages) out.push(`- noise: ${n.title} (${n.id}), ${percent(n.wholeBudgetSpent, 2)} of the budget`);
      out.push('');
    }
  }
  if (s.recommendations.length > 0) {
    out.push('**Recommendations**', '', ...s.recommendations.map((r) => `- ${r.action}: ${r.reason}.`), '');
  }
  if (s.warnings.length > 0) out.push(...s.warnings.map((w) => `> warning: ${w}`), '');
  return out;
}
