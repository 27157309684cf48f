import { parseDuration } from '../slo/index.js';
import type { RetentionStart } from './review-model.js';
import { HOUR_MS } from './review-period.js';

/**
 * Where the data Prometheus still holds begins, as far as its retention settings tell: `heldFromMs`
 * is now − the retention time, rounded up to the hour.
 */
export interface Retention extends RetentionStart {
  /** A size limit also in effect (`1GiB`), which may have dropped data after `heldFromMs` too. */
  size: string | undefined;
}

/**
 * Reads runtimeinfo's `storageRetention` (`15d`, `1GiB`, `15d or 1GiB`). Time retention deletes a
 * block only once all of it is older than the newest block's end minus the retention time, and the
 * newest block never ends after now, so everything since now − retention time is still held (a
 * little before it often is too: those hours read as data, since they have some). Throws when the
 * text has no retention time (a size limit alone says nothing about time).
 */
export function retentionFrom(storageRetention: string, nowMs: number): Retention {
  let time: string | undefined;
  let size: string | undefined;
  for (const part of storageRetention.split(' or ').map((p) => p.trim())) {
    if (parseDuration(part) !== undefined) time = part;
    else if (/^\d+(\.\d+)?[KMGTPE]?i?B$/.test(part)) size = part;
    else throw new Error(`storageRetention ${JSON.stringify(storageRetention)} is neither a duration nor a size`);
  }
  if (time === undefined) throw new Error(`storageRetention ${JSON.stringify(storageRetention)} has no retention time, only a size`);
  return { heldFromMs: Math.ceil((nowMs - parseDuration(time)!) / HOUR_MS) * HOUR_MS, time, size };
}
