// Automatic `execute` batching (`batching: true`): calls made while others wait
// for the token's limiter (or, with limits off, in the same turn of the event loop)
// share one `execute` request of up to 25 calls. Each caller still gets its own
// result or its own error. One execute is one request to the limiter, so a user
// token at 3 requests/s carries up to 75 calls/s.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { secretValues } from '../core/censor.js';
import { ApiError, TransportError, VkError } from '../core/errors.js';
import { batchScript, maxCallsPerExecute } from './execute-script.js';
import { matchExecuteErrors } from './execute-outcomes.js';
import type { CallOptions } from '../core/calls.js';
import type { ApiReply } from '../core/replies.js';
import { canRunInExecute, isReplaySafe } from '../core/method-traits.js';
import type { Slot } from './rate-limit.js';
import type { BatchSender } from './request.js';
import { backoffDelay, checkMaxRetries, classifyFailure, type RetryPolicy } from './retry.js';

/** Params that belong to the execute request itself, not to the calls inside it:
 * calls that differ in them cannot share an execute. */
const requestLevelParams: ReadonlySet<string> = new Set(['access_token', 'v', 'lang', 'test_mode']);

/** VK's "runtime error" of a script, e.g. a reply over its size limit. */
const scriptRuntimeError = 13;

class Member {
  settled = false;
  /** Retries after VK refused this call inside a batch (errors 6, 9, 10). */
  retries = 0;
  /** The queue the call waits in, until a batch takes it. */
  waitingIn: Member[] | undefined;
  /** Called when the caller gives up (abort), so a batch nobody waits for stops. */
  onGiveUp: (() => void) | undefined;
  /** Whether the call may be sent again after a failure that may have reached VK. */
  readonly replaySafe: boolean;
  readonly #resolve: (reply: ApiReply) => void;
  readonly #reject: (error: unknown) => void;
  readonly #onAbort: (() => void) | undefined;

  constructor(
    readonly method: string,
    /** The call's whole form, for sending it on its own. */
    readonly form: URLSearchParams,
    /** The params that go inside the script. */
    readonly params: readonly (readonly [string, string])[],
    readonly signal: AbortSignal | undefined,
    resolve: (reply: ApiReply) => void,
    reject: (error: unknown) => void,
    onAbort: (member: Member) => void,
  ) {
    this.replaySafe = isReplaySafe(method, form);
    this.#resolve = resolve;
    this.#reject = reject;
    if (signal) {
      this.#onAbort = () => onAbort(this);
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  resolve(reply: ApiReply): void {
    if (this.#settle()) this.#resolve(reply);
  }

  reject(error: unknown): void {
    if (this.#settle()) this.#reject(error);
  }

  #settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.#onAbort) this.signal?.removeEventListener('abort', this.#onAbort);
    return true;
  }
}

/** Calls that may share an execute: same token, version, language, timeout and retries. */
interface Queue {
  readonly key: string;
  readonly requestParams: URLSearchParams;
  readonly timeout: number | undefined;
  readonly maxRetries: number;
  readonly waiting: Member[];
  draining: boolean;
}

export class Batcher {
  readonly #sender: BatchSender;
  readonly #policy: RetryPolicy;
  readonly #queues = new Map<string, Queue>();
  /** Calls waiting out a backoff before they go back into their queue, with its timer. */
  readonly #resting = new Map<Member, NodeJS.Timeout>();

  constructor(sender: BatchSender, policy: RetryPolicy) {
    this.#sender = sender;
    this.#policy = policy;
  }

  /** Whether this call may go into a batch. A call answering a captcha goes alone:
   * the answer belongs to the request VK asked it for. */
  accepts(method: string, form: URLSearchParams): boolean {
    return canRunInExecute(method) && !form.has('captcha_sid');
  }

  add(method: string, form: URLSearchParams, options: CallOptions): Promise<ApiReply> {
    options.signal?.throwIfAborted();
    const requestParams = new URLSearchParams();
    const params: [string, string][] = [];
    for (const [key, value] of form) {
      if (requestLevelParams.has(key)) requestParams.append(key, value);
      else params.push([key, value]);
    }
    const maxRetries = checkMaxRetries(options.maxRetries ?? this.#policy.maxRetries);
    const key = `${requestParams}\n${options.timeout ?? ''}\n${maxRetries}`;
    const queue: Queue = this.#queues.get(key) ?? {
      key,
      requestParams,
      timeout: options.timeout,
      maxRetries,
      waiting: [],
      draining: false,
    };
    return new Promise<ApiReply>((resolve, reject) => {
      const member = new Member(method, form, params, options.signal, resolve, reject, (aborted) =>
        this.#giveUp(aborted),
      );
      this.#enqueue(queue, member);
    });
  }

  #enqueue(queue: Queue, member: Member): void {
    // A queue that drained away is replaced by whichever one now holds its key.
    const live = this.#queues.get(queue.key) ?? queue;
    this.#queues.set(live.key, live);
    live.waiting.push(member);
    member.waitingIn = live.waiting;
    if (!live.draining) {
      live.draining = true;
      void this.#drain(live);
    }
  }

  /** The session closes: calls waiting for a batch or a retry fail with `error`; calls in flight settle. */
  close(error: VkError): void {
    for (const queue of this.#queues.values()) for (const member of queue.waiting.splice(0)) member.reject(error);
    for (const [member, timer] of this.#resting) {
      clearTimeout(timer);
      member.reject(error);
    }
    this.#resting.clear();
  }

  #giveUp(member: Member): void {
    const index = member.waitingIn?.indexOf(member) ?? -1;
    if (index >= 0) member.waitingIn?.splice(index, 1);
    clearTimeout(this.#resting.get(member));
    this.#resting.delete(member);
    member.reject(member.signal?.reason);
    member.onGiveUp?.();
  }

  /** Sends the queue's calls, up to 25 a request, each time the limiter grants one. */
  async #drain(queue: Queue): Promise<void> {
    // Calls made in this turn of the event loop join the first batch.
    await nextTurn();
    while (queue.waiting.length > 0) {
      // While this waits, more calls queue up: they ride in the batch it grants.
      let slot: Slot | undefined;
      try {
        slot = await this.#sender.acquireSlot(queue.requestParams);
      } catch (error) {
        // The session closed: whoever still waits here fails with it.
        for (const member of queue.waiting.splice(0)) member.reject(error);
        break;
      }
      const batch = queue.waiting.splice(0, maxCallsPerExecute);
      for (const member of batch) member.waitingIn = undefined;
      if (batch.length === 0) {
        slot?.cancel();
        break;
      }
      void this.#send(queue, batch, slot);
    }
    queue.draining = false;
    if (queue.waiting.length === 0) this.#queues.delete(queue.key);
  }

  async #send(queue: Queue, batch: Member[], slot: Slot | undefined): Promise<void> {
    if (batch.length === 1) {
      this.#sendAlone(queue, batch[0]!, slot);
      return;
    }
    const stop = new AbortController();
    for (const member of batch) member.onGiveUp = () => batch.every((m) => m.settled) && stop.abort();
    let reply: ApiReply;
    try {
      const form = new URLSearchParams(queue.requestParams);
      form.set('code', batchScript(batch.map(({ method, params }) => ({ method, params }))));
      reply = await this.#sender.request('execute', form, {
        signal: stop.signal,
        timeout: queue.timeout,
        maxRetries: queue.maxRetries,
        // The batch is repeated only if every call in it may be.
        replaySafe: batch.every((member) => member.replaySafe),
        firstSlot: slot,
      });
    } catch (error) {
      this.#batchFailed(queue, batch, error);
      return;
    }
    this.#deliver(queue, batch, reply);
  }

  #deliver(queue: Queue, batch: readonly Member[], reply: ApiReply): void {
    const results = reply.response;
    if (!Array.isArray(results) || results.length !== batch.length) {
      const error = new TransportError(
        `execute: a batch of ${batch.length} calls got a reply that is not a list of ${batch.length} results`,
      );
      for (const member of batch) member.reject(error);
      return;
    }
    const outcomes = matchExecuteErrors(
      batch.map((member) => member.method),
      results,
      reply.executeErrors,
    );
    outcomes.forEach((outcome, index) => {
      const member = batch[index]!;
      if (outcome.kind === 'result') member.resolve({ response: outcome.result, executeErrors: [] });
      else if (outcome.kind === 'error') this.#callFailed(queue, member, ownError(outcome.error, member));
      // Which call failed is unknown: one that may be repeated asks VK again, alone.
      else if (member.replaySafe) this.#sendAlone(queue, member, undefined);
      else
        member.reject(
          new VkError(
            `${member.method} returned false inside an execute batch and VK reported a ${member.method} error ("${outcome.error.message}") that may belong to another ${member.method} call of the batch; not repeated because ${member.method} is not safe to send twice`,
          ),
        );
    });
  }

  /** VK refused one call inside the batch: it goes back into the queue after a backoff. */
  #callFailed(queue: Queue, member: Member, error: ApiError): void {
    if (classifyFailure(error) !== 'not-run' || member.retries >= queue.maxRetries) {
      member.reject(error);
      return;
    }
    const wait = backoffDelay(member.retries, this.#policy);
    member.retries += 1;
    // A timer of the batcher's own, so that close() and an abort end the wait at once.
    const timer = setTimeout(() => {
      this.#resting.delete(member);
      this.#enqueue(queue, member);
    }, wait);
    this.#resting.set(member, timer);
  }

  #batchFailed(queue: Queue, batch: readonly Member[], error: unknown): void {
    for (const member of batch) {
      // A runtime error may come from one call's result (VK caps a script's reply
      // size): calls that may be repeated get a chance of their own.
      if (error instanceof ApiError && error.code === scriptRuntimeError && member.replaySafe) {
        this.#sendAlone(queue, member, undefined);
      } else {
        member.reject(error);
      }
    }
  }

  #sendAlone(queue: Queue, member: Member, slot: Slot | undefined): void {
    this.#sender
      .request(member.method, member.form, {
        signal: member.signal,
        timeout: queue.timeout,
        // Retries after VK refused it inside a batch count against the same budget.
        maxRetries: queue.maxRetries - member.retries,
        replaySafe: member.replaySafe,
        firstSlot: slot,
      })
      .then(
        (reply) => member.resolve(reply),
        (error: unknown) => member.reject(error),
      );
  }
}

/** The error of one call of a batch, with the call's own method and params as
 * `request_params` (VK sends none inside execute), like the error of a direct call. */
function ownError(error: ApiError, member: Member): ApiError {
  const params = member.params.map(([key, value]) => ({ key, value }));
  const secrets = secretValues(member.params);
  return new ApiError({ ...error.raw, request_params: [{ key: 'method', value: member.method }, ...params] }, secrets);
}
