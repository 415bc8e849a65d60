// The User Long Poll API: a user's (or, with groupId, a community's) messages and
// other events, for user tokens. The loop is long-poll.ts's; what this adds is the
// decoding of VK's arrays (user-events.ts) and the catch-up: when VK says events
// were lost (`failed` 1 or 3), `messages.getLongPollHistory` brings them from the
// last `pts`.

import type { MessagesMessage } from '../../generated/types/messages.js';
import { ApiError, VkError } from '../core/errors.js';
import { backoffDelay, classifyFailure, sleep } from '../pipeline/retry.js';
import type { API } from '../sessions/api.js';
import { EventStream } from './event-stream.js';
import { LongPollLoop, longPollTiming, type LongPollTiming, type LongPollTimingOptions } from './long-poll.js';
import { eventSession, type AnySession } from './session.js';
import {
  decodeUserEvent,
  userEventTypes,
  type UnknownUserEvent,
  type UserEvent,
  type UserEventMap,
} from './user-events.js';

/** The long poll version whose events user-events.ts decodes. */
const lpVersion = 3;
/** Attachments (2), the extended set of events (8), `pts` (32), the platform of
 * friends online (64), `random_id` (128). */
const defaultMode = 2 | 8 | 32 | 64 | 128;
const returnsPts = 32;
/** Rounds of `messages.getLongPollHistory` per catch-up (each up to `events_limit` events). */
const maxCatchUpRounds = 20;
/** Retries of a catch-up round that failed on the network or with VK errors 6, 9, 10. */
const catchUpRetries = 5;
/** VK cannot serve history from this pts: too old (907) or too new (908). */
const unservablePts: ReadonlySet<number> = new Set([907, 908]);

export interface UserLongPollOptions extends LongPollTimingOptions {
  /** VK's `mode`: a sum of 2 (attachments), 8 (more events), 32 (`pts`, which the
   * catch-up needs), 64 (friends' platforms), 128 (`random_id`). Default: all of them. */
  mode?: number;
  /** A community whose messages to receive with a user token of its admin. */
  groupId?: number;
  /** Catch up on lost events with `messages.getLongPollHistory` (default `true`; needs `mode` 32). */
  catchUp?: boolean;
}

/** The long poll server refused the session for good (`failed: 4`: a version it does not serve). */
export class LongPollError extends VkError {
  override name = 'LongPollError';

  constructor(
    /** VK's `failed` code. */
    readonly failed: number,
    /** The lowest and highest versions the server takes, when it said. */
    readonly versions: { readonly min?: number; readonly max?: number } = {},
  ) {
    super(`The long poll server refused the session (failed: ${failed}${versions.min === undefined ? '' : `, versions ${versions.min} to ${versions.max}`})`);
  }
}

/**
 * A user's events through the User Long Poll API (`messages.getLongPollServer`,
 * long poll version 3), decoded from VK's arrays into typed objects:
 *
 * ```ts
 * for await (const event of new UserLongPoll(api)) {
 *   if (event.type === 'message_new') console.log(event.peer_id, event.text);
 * }
 * ```
 *
 * When VK says events were lost (`failed` 1 or 3), they are fetched with
 * `messages.getLongPollHistory` and delivered before the new ones (the events of
 * that catch-up carry `message`, the whole message). Failures and silence are
 * handled as in `BotsLongPoll`; `failed: 4` throws a `LongPollError`.
 */
export class UserLongPoll extends EventStream<UserEventMap, UnknownUserEvent> {
  readonly #api: API;
  readonly #loop: LongPollLoop;
  readonly #timing: LongPollTiming;
  readonly #groupId: number | undefined;
  readonly #catchUp: boolean;
  readonly #mode: number;
  /** The last `pts` heard of: where a catch-up starts. */
  #pts: number | undefined;
  /** The last ts a reply gave, for `messages.getLongPollHistory`. */
  #ts: number | undefined;
  /** What the last catch-up brought, to drop from the next reply (the two may overlap). */
  #caughtUp: ReadonlySet<string> | undefined;

  constructor(api: AnySession, options: UserLongPollOptions = {}) {
    super(userEventTypes);
    const mode = options.mode ?? defaultMode;
    if (!(Number.isSafeInteger(mode) && mode >= 0)) throw new RangeError(`mode must be a non-negative integer, got ${mode}`);
    const { groupId } = options;
    if (groupId !== undefined && !(Number.isSafeInteger(groupId) && groupId > 0)) {
      throw new RangeError(`groupId must be a positive integer, got ${groupId}`);
    }
    const { api: session, transport } = eventSession(api);
    this.#api = session;
    this.#timing = longPollTiming(options);
    this.#groupId = groupId;
    this.#mode = mode;
    this.#catchUp = (options.catchUp ?? true) && (mode & returnsPts) !== 0;
    this.#loop = new LongPollLoop(
      {
        connect: (signal) => this.#connect(signal),
        query: { mode: String(mode), version: String(lpVersion) },
        failure: (reply) =>
          reply['failed'] === 4 ? new LongPollError(4, { min: numberOr(reply['min_version']), max: numberOr(reply['max_version']) }) : undefined,
      },
      this.#timing,
      () => transport.dispatcher,
    );
  }

  protected async *batches(signal: AbortSignal): AsyncGenerator<readonly UserEvent[], void, undefined> {
    for await (const step of this.#loop.run(signal)) {
      if (step.kind === 'gap') {
        if (this.#catchUp && this.#pts !== undefined) yield* this.#catchUpBatches(signal);
        continue;
      }
      const { reply } = step;
      if (Number.isSafeInteger(reply['pts'])) this.#pts = reply['pts'] as number;
      this.#ts = Number(reply['ts']);
      const caughtUp = this.#caughtUp;
      this.#caughtUp = undefined;
      const events = step.updates.flatMap((update) => decodeUserEvent(update) ?? []);
      yield caughtUp === undefined ? events : events.filter((event) => !caughtUp.has(overlapKey(event.raw)));
    }
  }

  protected admit(): boolean {
    return true;
  }

  async #connect(signal: AbortSignal): Promise<{ server: string; key: string; ts: string }> {
    const params = { lp_version: lpVersion, need_pts: true, ...(this.#groupId === undefined ? {} : { group_id: this.#groupId }) };
    const { server, key, ts, pts } = await this.#api.call('messages.getLongPollServer', params, { signal });
    // After a gap the old pts stays: the catch-up starts from it.
    this.#pts ??= pts;
    return { server, key, ts: String(ts) };
  }

  /** The events lost since `#pts`, a page of history at a time. */
  async *#catchUpBatches(signal: AbortSignal): AsyncGenerator<readonly UserEvent[], void, undefined> {
    const seen = new Set<string>();
    for (let round = 0; round < maxCatchUpRounds; round += 1) {
      const history = await this.#history(signal);
      if (history === undefined) break;
      const messages = new Map((history.messages?.items ?? []).map((message) => [message.id, message]));
      const events = (history.history ?? []).flatMap((raw) => {
        const event = decodeUserEvent(raw);
        if (event === undefined) return [];
        seen.add(overlapKey(event.raw));
        return [withMessage(event, messages)];
      });
      if (history.new_pts !== undefined) this.#pts = history.new_pts;
      this.#caughtUp = seen;
      yield events;
      if (history.more !== true || history.new_pts === undefined) break;
    }
  }

  /** One page of history from `#pts`; undefined when VK cannot serve it. */
  async #history(signal: AbortSignal) {
    const params = { pts: this.#pts!, ...(this.#ts === undefined ? {} : { ts: this.#ts }), lp_version: lpVersion, ...(this.#groupId === undefined ? {} : { group_id: this.#groupId }) };
    for (let retry = 0; ; retry += 1) {
      try {
        return await this.#api.call('messages.getLongPollHistory', params, { signal });
      } catch (error) {
        if (error instanceof ApiError && unservablePts.has(error.code)) return undefined;
        const transient = classifyFailure(error) !== 'final';
        if (signal.aborted || !transient || retry >= catchUpRetries) throw error;
        await sleep(backoffDelay(retry, { maxRetries: catchUpRetries, initialDelay: this.#timing.retryDelay.initial, maxDelay: this.#timing.retryDelay.max }), signal);
      }
    }
  }

  protected printable(): Record<string, unknown> {
    return { mode: this.#mode, groupId: this.#groupId, ts: this.#loop.ts, pts: this.#pts };
  }
}

/** An event of the history and the same event in a reply share their first fields (code, id, flags). */
function overlapKey(raw: readonly unknown[]): string {
  return JSON.stringify(raw.slice(0, 3));
}

function withMessage(event: UserEvent, messages: ReadonlyMap<number, MessagesMessage>): UserEvent {
  const id = (event as { message_id?: unknown }).message_id;
  const message = typeof id === 'number' && event.code >= 1 && event.code <= 5 ? messages.get(id) : undefined;
  return message === undefined ? event : ({ ...event, message } as UserEvent);
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
