import type { KnownBlock, MrkdwnElement } from '@slack/web-api';
import { truncate } from './truncate.js';
import type { Notification } from './types.js';
import { webLink } from './web-link.js';

/** A Slack message body: `text` is the fallback shown in notifications and by clients without blocks. */
export interface SlackMessageContent {
  text: string;
  blocks: KnownBlock[];
}

/** Slack's limits, in characters. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const BUTTON_TEXT_MAX = 75;

/** The incident's first message: what is wrong, where, how fast, and where to look. */
export function buildSlackTrigger(notification: Notification): SlackMessageContent {
  const icon = notification.severity === 'page' ? ':rotating_light:' : ':warning:';
  return {
    text: escape(`${icon} ${notification.summary}`),
    blocks: incidentBlocks(notification, `${icon} ${notification.summary}`, `Started ${notification.startedAt}`),
  };
}

/**
 * The first message after the incident resolved, for `chat.update`: the same facts under a
 * "Resolved" header, so the channel shows at a glance which incidents are over.
 * `resolvedAt` is ISO 8601.
 */
export function buildSlackResolved(notification: Notification, resolvedAt: string): SlackMessageContent {
  const title = `:white_check_mark: Resolved: ${notification.summary}`;
  return {
    text: escape(title),
    blocks: incidentBlocks(notification, title, `Started ${notification.startedAt} · resolved ${resolvedAt}`),
  };
}

/**
 * The first message after a resolved incident fired again, for `chat.update`: the trigger's facts and
 * header again, so the channel no longer shows it as over. `reopenedAt` is ISO 8601.
 */
export function buildSlackReopened(notification: Notification, reopenedAt: string): SlackMessageContent {
  const icon = notification.severity === 'page' ? ':rotating_light:' : ':warning:';
  const title = `${icon} ${notification.summary}`;
  return {
    text: escape(title),
    blocks: incidentBlocks(notification, title, `Started ${notification.startedAt} · fired again ${reopenedAt}`),
  };
}

/**
 * The first message after the incident's severity changed, for `chat.update`: the trigger's layout at
 * the new severity, so the channel no longer shows the old one. Escalated (ticket → page) unless the
 * notification is marked `deescalated` (page → ticket). `changedAt` is ISO 8601.
 */
export function buildSlackSeverityChanged(notification: Notification, changedAt: string): SlackMessageContent {
  const icon = notification.severity === 'page' ? ':rotating_light:' : ':warning:';
  const title = `${icon} ${notification.summary}`;
  const how = notification.deescalated === true ? 'de-escalated' : 'escalated';
  return {
    text: escape(title),
    blocks: incidentBlocks(notification, title, `Started ${notification.startedAt} · ${how} to ${notification.severity} ${changedAt}`),
  };
}

/** A thread reply with what changed: the new summary, details and burn rates. */
export function buildSlackUpdateReply(notification: Notification): SlackMessageContent {
  const burn = burnRateText(notification.customDetails);
  const lines = [`*Update:* ${escape(notification.summary)}`, escape(notification.details)];
  if (burn !== undefined) lines.push(`*Burn rate:* ${burn}`);
  const text = escape(`Update: ${notification.summary}`);
  return { text, blocks: [section(lines.filter((line) => line !== '').join('\n'))] };
}

/** The thread reply that says the incident is over. `resolvedAt` is ISO 8601. */
export function buildSlackResolvedReply(notification: Notification, resolvedAt: string): SlackMessageContent {
  const text = escape(`:white_check_mark: Resolved at ${resolvedAt}: ${notification.summary}`);
  return { text, blocks: [section(text)] };
}

/**
 * Burn rates from `customDetails.burnRates` (window → multiple of the budget rate), in the order
 * given: "16.2× over 5m · 15.8× over 1h". Undefined when absent or empty.
 */
export function burnRateText(customDetails: Record<string, unknown>): string | undefined {
  const rates = customDetails['burnRates'];
  if (typeof rates !== 'object' || rates === null || Array.isArray(rates)) return undefined;
  const parts = Object.entries(rates as Record<string, unknown>)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]))
    .map(([window, rate]) => `${formatRate(rate)}× over ${window}`);
  return parts.length === 0 ? undefined : parts.join(' · ');
}

/**
 * The anomaly score from `customDetails.anomaly` (apply-anomaly.ts): "0.97: error ratio 12σ above its
 * usual for Tuesday 14:00 UTC (2.40% vs 0.10%)", "recurring: ..." for a page within its usual range.
 * Undefined when the incident was not scored.
 */
export function anomalyText(customDetails: Record<string, unknown>): string | undefined {
  const a = customDetails['anomaly'];
  if (typeof a !== 'object' || a === null) return undefined;
  const { score, sentence, recurring } = a as { score?: unknown; sentence?: unknown; recurring?: unknown };
  if (typeof sentence !== 'string' || typeof score !== 'number') return undefined;
  return recurring === true ? `recurring: ${sentence}` : `score ${score.toFixed(2)}: ${sentence}`;
}

function incidentBlocks(notification: Notification, title: string, context: string): KnownBlock[] {
  const fields: MrkdwnElement[] = [field('Severity', notification.severity), field('Service', notification.service)];
  if (notification.slo !== undefined) fields.push(field('SLO', notification.slo));
  if (notification.team !== undefined) fields.push(field('Team', notification.team));
  const burn = burnRateText(notification.customDetails);
  if (burn !== undefined) fields.push(field('Burn rate', burn));
  const anomaly = anomalyText(notification.customDetails);
  if (anomaly !== undefined) fields.push(field('Anomaly', anomaly));

  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, HEADER_MAX), emoji: true } },
    { type: 'section', fields },
  ];
  if (notification.details !== '') blocks.push(section(escape(notification.details)));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escape(`${context} · incident ${notification.incidentId}`) }] });
  // A button whose url is not an absolute http(s) URL would make Slack refuse the whole message.
  const buttons = notification.links.flatMap((link) => {
    const url = webLink(link.href);
    return url === undefined ? [] : [{ text: link.text, url }];
  });
  if (buttons.length > 0) {
    blocks.push({
      type: 'actions',
      elements: buttons.map((link, index) => ({
        type: 'button' as const,
        text: { type: 'plain_text' as const, text: truncate(link.text, BUTTON_TEXT_MAX) },
        url: link.url,
        action_id: `link-${index}`,
      })),
    });
  }
  return blocks;
}

function field(label: string, value: string): MrkdwnElement {
  return { type: 'mrkdwn', text: clip(`*${label}*\n${escape(value)}`, FIELD_MAX) };
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_MAX) } };
}

/** Escaped mrkdwn cut to `max`, without leaving half an entity ("&am…") at the cut. */
function clip(mrkdwn: string, max: number): string {
  return truncate(mrkdwn, max).replace(/&[a-z]{0,3}…$/, '…');
}

/** Slack mrkdwn needs &, < and > escaped, or it reads them as links and mentions. */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function formatRate(rate: number): string {
  return String(Number(rate.toPrecision(3)));
}
