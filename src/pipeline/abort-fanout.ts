// One 'abort' listener per signal for a session, however many of its calls share
// the signal, and the own signals the calls' waits listen to instead.

/** A signal of the SDK's own for one call or one wait, and how to let go of what it listens to. */
export interface Link {
  readonly signal: AbortSignal | undefined;
  /** Stops listening; call it once the call or wait is over. */
  end(): void;
}

/**
 * The session's 'abort' listeners: one per signal, however many calls share it.
 * Node warns of a leak past 10 listeners on one signal, and 50 calls under one
 * `AbortSignal.timeout()` are no leak; this keeps the warning for real ones (a
 * signal given to many sessions, or a listener that is never removed) instead of
 * raising the limit on the user's signal.
 */
export class AbortFanout {
  readonly #fans = new Map<AbortSignal, { listeners: Set<() => void>; onAbort: () => void }>();

  /** An own signal that aborts with the first of `signals` to abort, with its reason. */
  link(signals: readonly (AbortSignal | undefined)[]): Link {
    const present = signals.filter((signal) => signal !== undefined);
    if (present.length === 0) return { signal: undefined, end: () => {} };
    const controller = new AbortController();
    const aborted = present.find((signal) => signal.aborted);
    if (aborted !== undefined) {
      controller.abort(aborted.reason);
      return { signal: controller.signal, end: () => {} };
    }
    const offs = present.map((signal) =>
      this.#on(signal, () => {
        end();
        controller.abort(signal.reason);
      }),
    );
    const end = (): void => offs.splice(0).forEach((off) => off());
    return { signal: controller.signal, end };
  }

  /** Calls `listener` when `signal` aborts, unless the returned function is called first. */
  #on(signal: AbortSignal, listener: () => void): () => void {
    let fan = this.#fans.get(signal);
    if (fan === undefined) {
      const listeners = new Set<() => void>();
      const onAbort = (): void => {
        this.#fans.delete(signal);
        for (const each of listeners) each();
      };
      fan = { listeners, onAbort };
      this.#fans.set(signal, fan);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    const { listeners, onAbort } = fan;
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      // The one listener on the signal goes with the last call that needed it.
      if (listeners.size === 0 && this.#fans.get(signal)?.listeners === listeners) {
        this.#fans.delete(signal);
        signal.removeEventListener('abort', onAbort);
      }
    };
  }
}
