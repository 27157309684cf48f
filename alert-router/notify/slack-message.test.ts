import { describe, expect, it } from 'vitest';
import { aNotification } from './notification-fixture.js';
import { burnRateText, buildSlackResolved, buildSlackTrigger, buildSlackUpdateReply } from './slack-message.js';

describe('Slack messages', () => {
  it('opens with a header, the incident facts, the details, and runbook and dashboard buttons', () => {
    const { text, blocks } = buildSlackTrigger(aNotification());

    expect(text).toBe(':rotating_light: checkout/availability burning error budget 15.8× (page)');
    expect(blocks).toEqual([
      {
        type: 'header',
        text: { type: 'plain_text', text: ':rotating_light: checkout/availability burning error budget 15.8× (page)', emoji: true },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Severity*\npage' },
          { type: 'mrkdwn', text: '*Service*\ncheckout' },
          { type: 'mrkdwn', text: '*SLO*\navailability' },
          { type: 'mrkdwn', text: '*Team*\npayments' },
          { type: 'mrkdwn', text: '*Burn rate*\n16.2× over 5m · 15.8× over 1h' },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: 'Fast-burn tier (1h/5m) fired: 15.8× over 1h, 16.2× over 5m.' } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'Started 2026-11-03T10:00:00.000Z · incident inc-checkout-availability-1' }],
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Runbook' },
            url: 'https://runbooks.example.com/checkout/availability',
            action_id: 'link-0',
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Dashboard' },
            url: 'https://grafana.example.com/d/slo-checkout-availability',
            action_id: 'link-1',
          },
        ],
      },
    ]);
  });

  it('flags tickets with a warning sign and leaves out what it does not know', () => {
    const { slo: _slo, team: _team, ...rest } = aNotification({ severity: 'ticket', customDetails: {}, links: [] });
    const { blocks } = buildSlackTrigger(rest);

    expect(blocks[0]).toMatchObject({ text: { text: ':warning: checkout/availability burning error budget 15.8× (page)' } });
    expect(blocks[1]).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Severity*\nticket' },
        { type: 'mrkdwn', text: '*Service*\ncheckout' },
      ],
    });
    expect(blocks.map((block) => block.type)).not.toContain('actions');
  });

  it('keeps the header within Slack’s 150 characters', () => {
    const { blocks } = buildSlackTrigger(aNotification({ summary: 'y'.repeat(400) }));
    const header = blocks[0] as { text: { text: string } };
    expect(header.text.text).toHaveLength(150);
  });

  it('escapes text Slack would read as mentions or links', () => {
    const { blocks } = buildSlackTrigger(aNotification({ details: 'latency > 300ms for <!channel> & friends' }));
    expect(blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'latency &gt; 300ms for &lt;!channel&gt; &amp; friends' },
    });
  });

  it('marks the first message resolved, with when', () => {
    const { text, blocks } = buildSlackResolved(aNotification({ action: 'resolve' }), '2026-11-03T10:42:00.000Z');

    expect(text).toBe(':white_check_mark: Resolved: checkout/availability burning error budget 15.8× (page)');
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: text } });
    expect(JSON.stringify(blocks)).toContain('resolved 2026-11-03T10:42:00.000Z');
    expect(blocks.at(-1)).toMatchObject({ type: 'actions' });
  });

  it('replies to the thread with the new details and burn rates', () => {
    const { blocks } = buildSlackUpdateReply(
      aNotification({ action: 'update', details: 'Slow-burn tier fired too.', customDetails: { burnRates: { '6h': 6.05 } } }),
    );
    expect(blocks).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Update:* checkout/availability burning error budget 15.8× (page)\nSlow-burn tier fired too.\n*Burn rate:* 6.05× over 6h',
        },
      },
    ]);
  });

  it.each([
    { input: { burnRates: { '5m': 16.2, '1h': 15.8 } }, expected: '16.2× over 5m · 15.8× over 1h' },
    { input: { burnRates: { '30m': 0.951234 } }, expected: '0.951× over 30m' },
    { input: { burnRates: { '5m': 'fast' } }, expected: undefined },
    { input: { burnRates: {} }, expected: undefined },
    { input: {}, expected: undefined },
  ])('reads burn rates $input as $expected', ({ input, expected }) => {
    expect(burnRateText(input)).toBe(expected);
  });

  it('leaves out buttons Slack would refuse (relative, empty or non-http URLs) and keeps the others', () => {
    const links = [
      { href: '/d/slokit-svc-checkout/checkout?var-slo=availability', text: 'Dashboard' },
      { href: '', text: 'Runbook' },
      { href: 'javascript:alert(1)', text: 'Logs' },
      { href: 'https://runbooks.example.com/checkout/availability', text: 'Runbook' },
    ];
    const actions = buildSlackTrigger(aNotification({ links })).blocks.at(-1);
    expect(actions).toEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Runbook' }, url: 'https://runbooks.example.com/checkout/availability', action_id: 'link-0' }],
    });
    const none = buildSlackTrigger(aNotification({ links: [{ href: '/d/x', text: 'Dashboard' }] })).blocks;
    expect(none.map((block) => block.type)).not.toContain('actions');
  });

  it('escapes the fallback text too, which phones show and Slack parses for mentions', () => {
    const n = aNotification({ summary: 'p99 > 300ms for <!channel> & more (page)' });
    expect(buildSlackTrigger(n).text).toBe(':rotating_light: p99 &gt; 300ms for &lt;!channel&gt; &amp; more (page)');
    expect(buildSlackUpdateReply(n).text).toBe('Update: p99 &gt; 300ms for &lt;!channel&gt; &amp; more (page)');
    expect(buildSlackResolved(n, '2026-11-03T10:42:00.000Z').text).not.toContain('<');
  });

  it('cuts long details within Slack’s 3000 characters without leaving half an escaped character', () => {
    const { blocks } = buildSlackTrigger(aNotification({ details: `${'x'.repeat(2997)}&&&` }));
    expect(blocks[2]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: `${'x'.repeat(2997)}…` } });
  });
});
