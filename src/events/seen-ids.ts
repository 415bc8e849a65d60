// The ids of the events already delivered, so that an event VK sends again is not
// delivered twice. Bounded: a poll runs for days, and a set of every id it ever saw
// would grow without end. VK re-sends an event soon after the first time (a lost
// reply, a retry), so the most recent ids are the ones worth remembering.

/** The default number of ids remembered. */
export const defaultRememberedIds = 10_000;

/** A set of the last `capacity` ids added; adding one more forgets the oldest. */
export class SeenIds {
  readonly #ids = new Set<string>();
  /** The same ids in the order they came, as a ring: `#oldest` is the next to go.
   * (Deleting a Set's first entry over and over instead makes V8 walk the holes
   * left by the earlier deletions: quadratic.) */
  readonly #order: string[] = [];
  readonly #capacity: number;
  #oldest = 0;

  constructor(capacity: number = defaultRememberedIds) {
    if (!(Number.isSafeInteger(capacity) && capacity > 0)) {
      throw new RangeError(`the number of remembered event ids must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  add(id: string): void {
    if (this.#ids.has(id)) return;
    this.#ids.add(id);
    if (this.#order.length < this.#capacity) {
      this.#order.push(id);
      return;
    }
    this.#ids.delete(this.#order[this.#oldest]!);
    this.#order[this.#oldest] = id;
    this.#oldest = (this.#oldest + 1) % this.#capacity;
  }

  get size(): number {
    return this.#ids.size;
  }
}
