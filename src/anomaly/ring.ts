/**
 * A fixed-capacity ring of numbers (a typed array, no allocation per push) that keeps the running
 * sum and sum of squares of what it holds, so a windowed mean and variance cost O(1) per point.
 */
export class Ring {
  readonly capacity: number;
  private readonly data: Float64Array;
  private head = 0;
  private count = 0;
  /** Sum of the values held. */
  sum = 0;
  /** Sum of the squares of the values held. */
  sumSquares = 0;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`ring capacity must be an integer ≥ 1, got ${capacity}`);
    this.capacity = capacity;
    this.data = new Float64Array(capacity);
  }

  /** Rebuilds a ring from {@link Ring.save}'s output (values oldest first, and the running sums as saved). */
  static restore(capacity: number, state: RingState): Ring {
    const r = new Ring(capacity);
    const values = state.values.slice(-capacity);
    for (let i = 0; i < values.length; i++) r.data[i] = values[i]!;
    r.count = values.length;
    r.head = values.length % capacity;
    // The sums are restored as saved, not re-added: floating-point sums depend on their history.
    r.sum = state.sum;
    r.sumSquares = state.sumSquares;
    return r;
  }

  get size(): number {
    return this.count;
  }

  /** Adds a value, evicting the oldest when full. */
  push(value: number): void {
    if (this.count === this.capacity) {
      const old = this.data[this.head]!;
      this.sum -= old;
      this.sumSquares -= old * old;
    } else {
      this.count++;
    }
    this.data[this.head] = value;
    this.sum += value;
    this.sumSquares += value * value;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
  }

  /** The value pushed `lag` pushes ago (1 = the latest), or NaN when the ring does not hold it. */
  ago(lag: number): number {
    if (lag < 1 || lag > this.count) return Number.NaN;
    let i = this.head - lag;
    if (i < 0) i += this.capacity;
    return this.data[i]!;
  }

  /**
   * The values held, in storage order, as a view on the ring's own storage (no copy): for a
   * caller that only reads them before the next push, such as a refresh of order statistics.
   */
  held(): Float64Array {
    return this.count === this.capacity ? this.data : this.data.subarray(0, this.count);
  }

  /** Copies the values held into `out` (in storage order, which statistics of the set do not care about). */
  copyTo(out: Float64Array): void {
    const full = this.count === this.capacity;
    out.set(full ? this.data : this.data.subarray(0, this.count));
  }

  save(): RingState {
    const values = new Array<number>(this.count);
    for (let i = 0; i < this.count; i++) values[i] = this.ago(this.count - i);
    return { values, sum: this.sum, sumSquares: this.sumSquares };
  }
}

/** Saved state of a {@link Ring}: values oldest first, and the running sums. */
export interface RingState {
  readonly values: number[];
  readonly sum: number;
  readonly sumSquares: number;
}
