/** What the incident list says of the router's retention, so a reader (an SLO review) knows which incidents it may no longer hold. */
export interface RetentionView {
  /** `store.retention` as configured: `90d`, `forever`. */
  store: string;
  /**
   * Every incident resolved at or after this time is held now and for a tick interval at least
   * (RFC 3339), and none opened before the store began is; null when neither bounds it (a store
   * that deletes nothing and never said when it began).
   */
  keepsResolvedSince: string | null;
}

/**
 * The incident list's `retention` at `nowMs`. Retention deletes, on each tick, incidents resolved
 * before that tick's now − `store.retention`; so until `nowMs` + `tickIntervalMs` no tick deletes one
 * resolved since `nowMs` − retention + `tickIntervalMs`, and a reader that reads its pages within a
 * tick finds them all. Never earlier than the latest cutoff that did delete (`purgedBeforeMs`): a
 * reload or restart that lengthened the retention (or kept `forever`) does not bring those back, nor
 * does the router's clock stepping back. Never earlier than when the store began holding incidents
 * (`heldSinceMs`): a router deployed in the middle of a period has none from before, though nothing
 * was deleted. Times are the router's clock, as its incidents' are.
 */
export function retentionView(
  settings: { retention: string; retentionMs: number | undefined; tickIntervalMs: number },
  store: { purgedBeforeMs: number | undefined; heldSinceMs: number | undefined },
  nowMs: number,
): RetentionView {
  const nextCutoffMs = settings.retentionMs === undefined ? undefined : nowMs - settings.retentionMs + settings.tickIntervalMs;
  const since = Math.max(nextCutoffMs ?? -Infinity, store.purgedBeforeMs ?? -Infinity, store.heldSinceMs ?? -Infinity);
  return { store: settings.retention, keepsResolvedSince: since === -Infinity ? null : new Date(since).toISOString() };
}
