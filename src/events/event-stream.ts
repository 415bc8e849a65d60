// What the two long polls share above their loop: a `for await` over the events
// one by one, handlers by type (`on`, `start()`), `stop()`, and a printout without
// secrets. Events received and not yet delivered are kept across runs, so that a
// run stopped in the middle of a reply loses none of it: the next run delivers
// them first.

import type { InspectOptions } from 'node:util';
import { VkError } from '../core/errors.js';
import { untilAborted } from '../core/until-aborted.js';
import { EventRouter, type EventHandler } from './event-router.js';

export interface StartOptions<E> {
  /** Receives what a handler threw, with its event; the poll goes on. Without it, a
   * handler's failure stops the poll and `start()` rejects with it. */
  onError?: (error: unknown, event: E) => void;
}

/** The events of map `M` (by type), and `U`, an event of a type not in `M`. */
export type EventOf<M, U> = M[keyof M] | U;

export abstract class EventStream<M extends { [T in keyof M]: { type: T } }, U> implements AsyncIterable<EventOf<M, U>> {
  readonly #router: EventRouter<M, U>;
  #run: AbortController | undefined;
  #pending: readonly EventOf<M, U>[] = [];
  #next = 0;

  /** @param known the event types of `M`, to tell them at run time */
  protected constructor(known: ReadonlySet<string>) {
    this.#router = new EventRouter<M, U>(known);
  }

  /** Batches of events, in order, until `signal` aborts (then it returns) or a fatal error. */
  protected abstract batches(signal: AbortSignal): AsyncGenerator<readonly EventOf<M, U>[], void, undefined>;

  /** Whether to deliver `event` (false for a repeat); called once per event, when it is due. */
  protected abstract admit(event: EventOf<M, U>): boolean;

  /** What printing the poll shows: its settings and position, never its key. */
  protected abstract printable(): Record<string, unknown>;

  /** Runs `handler` for every event of `type` (under `start()`), after the handlers added before. */
  on<T extends keyof M & string>(type: T, handler: EventHandler<M[T]>): this {
    this.#router.on(type, handler);
    return this;
  }

  /** Runs `handler` for every event of a type the SDK does not know yet (under `start()`). */
  onUnknown(handler: EventHandler<U>): this {
    this.#router.onUnknown(handler);
    return this;
  }

  /** Whether a run (a `for await` or `start()`) is under way. */
  get running(): boolean {
    return this.#run !== undefined;
  }

  /** Ends the run under way, also while a request to VK is pending: its `for await`
   * loop ends, `start()` resolves. A later run goes on where this one stopped. */
  stop(): void {
    this.#run?.abort(new VkError('The poll was stopped'));
  }

  /** Events one by one until `stop()` (the loop ends) or a fatal error (thrown). One
   * run at a time; leaving the loop (`break`) stops the run. */
  [Symbol.asyncIterator](): AsyncIterator<EventOf<M, U>, void, undefined> {
    if (this.#run !== undefined) throw new VkError('The poll is running already: stop() it first');
    const run = new AbortController();
    this.#run = run;
    const batches = this.batches(run.signal);
    const done: IteratorReturnResult<void> = { done: true, value: undefined };
    let ended = false;
    let busy = false;
    let current: Promise<unknown> = Promise.resolve();
    const end = async (): Promise<IteratorReturnResult<void>> => {
      if (ended) return done;
      ended = true;
      await batches.return(undefined);
      if (this.#run === run) this.#run = undefined;
      return done;
    };
    // A plain async function rather than an async generator: an event already
    // received is handed over without a generator's round trips.
    const step = async (): Promise<IteratorResult<EventOf<M, U>, void>> => {
      busy = true;
      try {
        while (!ended) {
          while (this.#next < this.#pending.length) {
            // What is left of the batch waits for the next run.
            if (run.signal.aborted) return await end();
            const event = this.#pending[this.#next]!;
            this.#next += 1;
            if (this.admit(event)) return { done: false, value: event };
          }
          this.#pending = [];
          this.#next = 0;
          const batch = await batches.next();
          if (batch.done === true) return await end();
          this.#pending = batch.value;
        }
        return done;
      } catch (error) {
        await end();
        throw error;
      } finally {
        busy = false;
      }
    };
    return {
      next: () => {
        if (busy) return Promise.reject(new VkError('next() was called before the previous call settled'));
        const result = step();
        current = result;
        return result;
      },
      return: async () => {
        run.abort(new VkError('The poll was stopped'));
        if (busy) await current.catch(() => {});
        return end();
      },
    };
  }

  /** Runs the handlers of each event, one event at a time, until `stop()` (then it
   * resolves) or a fatal error (then it rejects). */
  async start(options: StartOptions<EventOf<M, U>> = {}): Promise<void> {
    const iterator = this[Symbol.asyncIterator]();
    const signal = this.#run!.signal;
    try {
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
        try {
          await untilAborted(this.#router.dispatch(next.value, signal), signal);
        } catch (error) {
          if (signal.aborted) break;
          if (options.onError === undefined) throw error;
          options.onError(error, next.value);
        }
      }
    } finally {
      await iterator.return?.();
    }
  }

  toJSON(): Record<string, unknown> {
    return { poll: this.constructor.name, ...this.printable(), running: this.running };
  }

  /** @internal `util.inspect.custom` (a registered symbol: no node:util at import). */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: InspectOptions,
    inspect: (value: unknown, options: InspectOptions) => string,
  ): string {
    return `${this.constructor.name} ${inspect({ ...this.printable(), running: this.running }, options)}`;
  }
}
