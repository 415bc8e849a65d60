// The states a `VKID` put in its authorization URLs and has not yet seen back: a
// redirect whose state is not among them is refused before its code is sent anywhere
// (a forged or replayed redirect). Each state is taken once; the set is bounded in
// size and in time, so that URLs nobody follows do not pile up.

/** Longer than any login a person finishes (VK's codes themselves live 10 minutes). */
const stateLifetimeMs = 30 * 60 * 1000;
/** Logins started and not finished; past it, the oldest gives way. */
const maxPendingStates = 10_000;

/** The states of one `VKID`'s logins under way. */
export class PendingStates {
  /** state -> when it was issued; a Map keeps insertion order, so the oldest come first. */
  readonly #issuedAt = new Map<string, number>();

  /** Records a state just put in a URL; refuses one already waiting (two logins would share it). */
  issue(state: string): void {
    this.#dropExpired();
    if (this.#issuedAt.has(state)) throw new TypeError('state is already in use by a login that has not finished');
    if (this.#issuedAt.size >= maxPendingStates) this.#issuedAt.delete(this.#issuedAt.keys().next().value!);
    this.#issuedAt.set(state, Date.now());
  }

  /** Whether `state` was issued and is still waiting; it is waiting no more. */
  take(state: string): boolean {
    this.#dropExpired();
    return this.#issuedAt.delete(state);
  }

  #dropExpired(): void {
    const oldest = Date.now() - stateLifetimeMs;
    for (const [state, issuedAt] of this.#issuedAt) {
      if (issuedAt >= oldest) break;
      this.#issuedAt.delete(state);
    }
  }
}
