import { constants } from 'node:os';

/** The signals that stop a run: Ctrl-C, and what `kill`, systemd and container runtimes send. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

type StopSignal = (typeof STOP_SIGNALS)[number];

/** A run stopped by SIGINT or SIGTERM: the reason of the AbortSignal listenForInterrupt gives. */
export class InterruptedError extends Error {
  readonly signal: StopSignal;
  /** What a shell reports for a process the signal ended: 128 + its number (130 SIGINT, 143 SIGTERM). */
  readonly exitCode: number;

  constructor(signal: StopSignal) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
    this.signal = signal;
    this.exitCode = 128 + constants.signals[signal];
  }
}

/**
 * Turns the first SIGINT or SIGTERM, until `stop()`, into an abort of `signal` (its reason an
 * InterruptedError) instead of the end of the process, so the run can stop at its next step and
 * undo what it began: its output locks and temp files, which a killed run leaves behind. Listening
 * ends with the first signal: a second one ends the process at once, as it would have without
 * this, should a step hang (a stalled network filesystem).
 */
export function listenForInterrupt(): { signal: AbortSignal; stop: () => void } {
  const controller = new AbortController();
  const stop = () => {
    for (const name of STOP_SIGNALS) process.removeListener(name, onSignal);
  };
  function onSignal(name: StopSignal): void {
    stop();
    controller.abort(new InterruptedError(name));
  }
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return { signal: controller.signal, stop };
}
