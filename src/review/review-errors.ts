/**
 * Expected failures of a review, each carrying what a user needs to act on it. The CLI maps them to
 * exit codes: unreachable peers and refused queries are I/O (3), an empty range is invalid input (1).
 */

/** Prometheus (or the alert-router) did not answer at all: wrong URL, down, or a timeout. */
export class PeerUnreachableError extends Error {
  constructor(
    readonly peer: 'Prometheus' | 'alert-router',
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(`${peer} at ${url} is unreachable`, options);
    this.name = 'PeerUnreachableError';
  }
}

/** Prometheus answered but refused a query (bad PromQL, too many points, timeout), or the router answered non-2xx. */
export class PeerQueryError extends Error {
  constructor(
    readonly peer: 'Prometheus' | 'alert-router',
    readonly url: string,
    readonly detail: string,
    readonly query?: string,
  ) {
    super(`${peer} at ${url} refused ${query === undefined ? 'the request' : JSON.stringify(query)}: ${detail}`);
    this.name = 'PeerQueryError';
  }
}

/** No SLO has any data in the reviewed range: nothing to review (wrong range, or retention too short). */
export class NoDataError extends Error {
  constructor(
    readonly range: { from: string; to: string },
    readonly sloIds: readonly string[],
  ) {
    super(
      `no SLI data between ${range.from} and ${range.to} for any SLO (${sloIds.join(', ')}): ` +
        `check the range and that Prometheus's retention covers it`,
    );
    this.name = 'NoDataError';
  }
}
