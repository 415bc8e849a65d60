// The Bots Long Poll API: a community's events as an async iterable, or routed to
// handlers by type. See long-poll.ts for what happens when VK or the network fails.

import { groupEventTypes, type GroupEvent, type GroupEventMap, type UnknownGroupEvent } from '../../generated/events.js';
import { EventStream } from './event-stream.js';
import { eventIdOf, toGroupEvent } from './group-events.js';
import { LongPollLoop, longPollTiming, type LongPollTimingOptions } from './long-poll.js';
import { SeenIds } from './seen-ids.js';
import { eventSession, type AnySession } from './session.js';

export interface BotsLongPollOptions extends LongPollTimingOptions {
  /** The community whose events to receive (its Long Poll API must be on). */
  groupId: number;
  /** How many event ids are remembered to drop repeats (default 10 000): VK may send
   * an event again, soon after the first time. */
  rememberEvents?: number;
}

/**
 * A community's events through the Bots Long Poll API (`groups.getLongPollServer`,
 * then `a_check` requests through the session's dispatcher, outside its rate limit).
 *
 * ```ts
 * const poll = new BotsLongPoll(api, { groupId: 1 });
 * for await (const event of poll) {
 *   if (event.type === 'message_new') console.log(event.object.message.text);
 * }
 * ```
 *
 * or with handlers: `poll.on('message_new', (event) => ...); await poll.start();`.
 * An event comes once, in order: VK's `failed` codes, network errors and 5xx are
 * handled without losing or repeating one, and a connection silent for
 * `reconnectAfter` is replaced. The loop ends on `stop()`, or throws a fatal error:
 * an `ApiError` from `groups.getLongPollServer` (code 5: the token is invalid; 15 or
 * 100: no access, or the Long Poll API is off), a closed session.
 */
export class BotsLongPoll extends EventStream<GroupEventMap, UnknownGroupEvent> {
  readonly #groupId: number;
  readonly #loop: LongPollLoop;
  readonly #seen: SeenIds;
  readonly #wait: number;

  constructor(api: AnySession, options: BotsLongPollOptions) {
    super(groupEventTypes);
    const { groupId } = options;
    if (!(Number.isSafeInteger(groupId) && groupId > 0)) throw new RangeError(`groupId must be a positive integer, got ${groupId}`);
    const timing = longPollTiming(options);
    this.#groupId = groupId;
    this.#wait = timing.wait;
    this.#seen = new SeenIds(options.rememberEvents);
    const { api: session, transport } = eventSession(api);
    this.#loop = new LongPollLoop(
      {
        connect: async (signal) => {
          const { server, key, ts } = await session.call('groups.getLongPollServer', { group_id: groupId }, { signal });
          return { server, key, ts: String(ts) };
        },
        query: {},
      },
      timing,
      () => transport.dispatcher,
    );
  }

  protected async *batches(signal: AbortSignal): AsyncGenerator<readonly GroupEvent[], void, undefined> {
    for await (const step of this.#loop.run(signal)) {
      if (step.kind !== 'updates') continue;
      const events: GroupEvent[] = [];
      for (const update of step.updates) {
        // Anything that is not an event (not an object with a type) is no update VK documents.
        const event = toGroupEvent(update);
        if (event !== undefined) events.push(event);
      }
      yield events;
    }
  }

  protected admit(event: GroupEvent): boolean {
    const id = eventIdOf(event);
    if (id === undefined) return true;
    if (this.#seen.has(id)) return false;
    this.#seen.add(id);
    return true;
  }

  protected printable(): Record<string, unknown> {
    return { groupId: this.#groupId, wait: this.#wait, ts: this.#loop.ts };
  }
}
