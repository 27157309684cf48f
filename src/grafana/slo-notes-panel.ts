import { PanelBuilder as TextPanelBuilder, TextMode } from '@grafana/grafana-foundation-sdk/text';
import type { Slo } from '../slo/index.js';
import { disabledAlertsNote, enabledTiers } from './alert-tiers.js';
import type { PanelPlacement } from './panel-placement.js';

/** Markdown-escapes text from an SLO definition so it renders as written. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

/**
 * What the SLO promises and what to do when it burns: description, objective, runbook and the tiers
 * that alert. A disabled page or ticket alert gets one line saying so instead of its tiers.
 */
export function sloNotesPanel(slo: Slo, at: PanelPlacement): TextPanelBuilder {
  const lines = [
    `**${escapeMarkdown(slo.description || slo.name)}**`,
    '',
    `Objective **${slo.objective}%** over **${slo.window}** (error budget ${Number((slo.errorBudget * 100).toPrecision(12))}%).`,
    '',
    slo.runbookUrl === undefined ? 'No runbook linked.' : `Runbook: [${escapeMarkdown(slo.runbookUrl)}](${slo.runbookUrl})`,
  ];
  const disabled = disabledAlertsNote(slo);
  if (disabled !== undefined) lines.push('', `${disabled.charAt(0).toUpperCase()}${disabled.slice(1)}.`);
  const tiers = enabledTiers(slo);
  if (tiers.length > 0) {
    lines.push('', '| alert | burn rate | windows |', '| --- | --- | --- |');
    for (const t of tiers) {
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
