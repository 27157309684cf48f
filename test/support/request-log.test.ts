import { describe, expect, it } from 'vitest';
import { RequestLog } from './request-log.js';

describe('RequestLog.waitFor', () => {
  it('resolves as soon as a matching entry arrives', async () => {
    const log = new RequestLog<{ path: string }>();
    const waiting = log.waitFor((entry) => entry.path === '/b', 5_000);

    log.push({ path: '/a' });
    log.push({ path: '/b' });

    await expect(waiting).resolves.toEqual({ path: '/b' });
  });

  it('resolves at once for an entry already recorded, and can wait for a count', async () => {
    const log = new RequestLog<number>();
    log.push(1);
    log.push(2);

    await expect(log.waitFor((entry) => entry === 1)).resolves.toBe(1);
    await expect(log.waitFor((_, all) => all.length >= 2)).resolves.toBe(1);
  });

  it('rejects after the timeout and shows what arrived instead', async () => {
    const log = new RequestLog<string>();
    log.push('/v2/change/enqueue');

    await expect(log.waitFor((entry) => entry === '/v2/enqueue', 50)).rejects.toThrow(
      'no matching request within 50 ms; received 1: ["/v2/change/enqueue"]',
    );
  });
});
