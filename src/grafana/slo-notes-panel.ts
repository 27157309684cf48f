import { PanelBuilder as TextPanelBuilder, TextMode } from '@grafana/grafana-foundation-sdk/text';
import type { Slo } from '../slo/index.js';
import type { PanelPlacement } from './panel-placement.js';

/** Markdown-escapes text from an SLO definition so it renders as written. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

/** What the SLO promises and what to do when it burns: description, objective, tiers and runbook. */
export function sloNotesPanel(slo: Slo, at: PanelPlacement): TextPanelBuilder {
  const lines = [
    `**${escapeMarkdown(slo.description || slo.name)}**`,
    '',
    `Objective **${slo.objective}%** over **${slo.window}** (error budget ${Number((slo.errorBudget * 100).toPrecision(12))}%).`,
    '',
    slo.runbookUrl === undefined ? 'No runbook linked.' : `Runbook: [${escapeMarkdown(slo.runbookUrl)}](${slo.runbookUrl})`,
  ];
  if (slo.tiers.length > 0) {
    lines.push('', '| alert | burn rate | windows |', '| --- | --- | --- |');
    for (const t of slo.tiers) {
      lines.push(`| ${t.severity} | ${Number(t.factor.toPrecision(12))}× | ${t.long} and ${t.short} |`);
    }
  }
  return new TextPanelBuilder()
    .id(at.id)
    .gridPos({ ...at.gridPos })
    .title('About this SLO')
    .mode(TextMode.Markdown)
    .content(`${lines.join('\n')}\n`);
}
