// Limits and faults for the fake VK server, mounted with `fake.gate(...)`: a
// per-token rate limit that answers error 6 as VK does, injected faults (dropped
// connections, slow replies, HTTP errors, bodies that are not VK's JSON, VK errors),
// a ledger of the `random_id`s each method received (inside execute too), and a
// `messages.send` that de-duplicates by `random_id` as VK does.

import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseBatchScript } from './execute.js';
import {
  apiErrorReply,
  DropConnection,
  FakeApiError,
  RawReply,
  type ApiGate,
  type MethodHandler,
  type RecordedRequest,
} from './replies.js';
import { vkError } from './vk-errors.js';

const windowMs = 1000;

/** One request the rate limit let through. */
export interface AcceptedRequest {
  readonly token: string;
  readonly method: string;
  /** `performance.now()` when it arrived (body read). */
  readonly at: number;
}

/** VK's per-token limit: past `perSecond` requests in any 1 s window, error 6. Only
 * accepted requests count, as a refused one never ran. */
export class PerTokenRateLimit {
  readonly accepted: AcceptedRequest[] = [];
  /** Error-6 replies given. */
  refused = 0;
  readonly #recent = new Map<string, number[]>();

  constructor(readonly perSecond: number) {}

  /** The gate to mount: `fake.gate(limit.gate)`. */
  readonly gate: ApiGate = async (request, method, next) => {
    const token = request.params['access_token'] ?? '';
    const now = performance.now();
    const recent = (this.#recent.get(token) ?? []).filter((at) => at > now - windowMs);
    this.#recent.set(token, recent);
    if (recent.length >= this.perSecond) {
      this.refused += 1;
      return apiErrorReply(request, method, vkError(6).fields);
    }
    recent.push(now);
    this.accepted.push({ token, method, at: now });
    return next();
  };

  /** The most requests of `token` accepted within any 1 s window. */
  busiestWindow(token: string): number {
    const times = this.accepted.filter((request) => request.token === token).map((request) => request.at);
    let most = 0;
    let start = 0;
    for (let end = 0; end < times.length; end += 1) {
      while (times[end]! - times[start]! >= windowMs) start += 1;
      most = Math.max(most, end - start + 1);
    }
    return most;
  }
}

/** The faults named by a word. */
export type Fault =
  /** The connection drops before the call runs. */
  | 'reset'
  /** The call runs, then the connection drops: the reply is lost. */
  | 'reset-after-run'
  /** The call runs after the plan's `slowMs` (the reply comes late, or to nobody). */
  | 'slow'
  /** A gateway's HTML 502; the call does not run. */
  | 'http-502'
  /** The call runs; its JSON reply is cut short. */
  | 'malformed-json'
  /** A 200 whose body is an HTML page, not JSON; the call does not run. */
  | 'non-json'
  /** VK's "Internal server error"; the call does not run. */
  | 'error-10'
  /** VK's "Too many requests per second"; the call does not run. */
  | 'error-6';

/** What a request can meet instead of its normal answer: a named fault, a delay, an
 * HTTP error or a VK error. */
export type InjectedFault =
  | Fault
  /** The call runs after `delayMs`. */
  | { readonly delayMs: number }
  /** An HTTP error status with a short text body; the call does not run. */
  | { readonly httpStatus: number }
  /** This VK error (see vk-errors.ts: captcha, rate limit, auth, any code); the call does not run. */
  | FakeApiError;

/** A fault's name in {@link FaultPlan.applied}: the string itself, `delay`, `http-<status>`, `error-<code>`. */
export function faultName(fault: InjectedFault): string {
  if (typeof fault === 'string') return fault;
  if (fault instanceof FakeApiError) return `error-${fault.fields.error_code}`;
  return 'delayMs' in fault ? 'delay' : `http-${fault.httpStatus}`;
}

const namedFaults: ReadonlySet<unknown> = new Set<Fault>([
  'reset',
  'reset-after-run',
  'slow',
  'http-502',
  'malformed-json',
  'non-json',
  'error-10',
  'error-6',
]);

function checkFault(fault: unknown): void {
  if (namedFaults.has(fault) || fault instanceof FakeApiError) return;
  const { delayMs, httpStatus } = (typeof fault === 'object' && fault !== null ? fault : {}) as Record<string, unknown>;
  if (typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0) return;
  if (typeof httpStatus === 'number' && Number.isInteger(httpStatus) && httpStatus >= 100 && httpStatus <= 599) return;
  const shown = typeof fault === 'object' ? JSON.stringify(fault) : String(fault);
  throw new TypeError(
    `not a fault: ${shown} (expected one of ${[...namedFaults].join(', ')}, { delayMs }, { httpStatus } or a FakeApiError)`,
  );
}

/** Faults for the next requests to a method (or `'*'`, any method), one per request, in
 * order; mounted as a gate. A fake VK server has one of its own: `fake.inject()`. */
export class FaultPlan {
  /** Faults applied so far, by {@link faultName}. */
  readonly applied = new Map<string, number>();
  readonly #planned = new Map<string, InjectedFault[]>();

  /** `slowMs`: how late a `'slow'` fault answers. */
  constructor(readonly slowMs = 300) {}

  /** Queues `faults` for the next requests to `method` (`'*'`: to any method); throws
   * a `TypeError` naming one that is not a fault. */
  inject(method: string, ...faults: InjectedFault[]): void {
    for (const fault of faults) checkFault(fault);
    this.#planned.set(method, [...(this.#planned.get(method) ?? []), ...faults]);
  }

  /** Faults planned but not applied yet. */
  get pending(): number {
    return [...this.#planned.values()].reduce((sum, faults) => sum + faults.length, 0);
  }

  /** The gate to mount: `fake.gate(plan.gate)`. */
  readonly gate: ApiGate = async (request, method, next) => {
    const fault = this.#planned.get(method)?.shift() ?? this.#planned.get('*')?.shift();
    if (fault === undefined) return next();
    const name = faultName(fault);
    this.applied.set(name, (this.applied.get(name) ?? 0) + 1);
    if (fault instanceof FakeApiError) return apiErrorReply(request, method, fault.fields);
    if (typeof fault === 'object') {
      if ('httpStatus' in fault) return new RawReply(fault.httpStatus, `fake VK: HTTP ${fault.httpStatus}`);
      await delay(fault.delayMs, undefined, { ref: false });
      return next();
    }
    switch (fault) {
      case 'reset':
        throw new DropConnection('injected reset');
      case 'reset-after-run':
        await next();
        throw new DropConnection('injected reset after the call ran');
      case 'slow':
        await delay(this.slowMs, undefined, { ref: false });
        return next();
      case 'http-502':
        return new RawReply(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'content-type': 'text/html' });
      case 'non-json':
        return new RawReply(200, '<html><body>Service is temporarily unavailable</body></html>', {
          'content-type': 'text/html',
        });
      case 'malformed-json': {
        const reply = await next();
        const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        return new RawReply(200, body.slice(0, Math.max(1, body.length - 3)), reply.headers);
      }
      case 'error-10':
        return apiErrorReply(request, method, vkError(10).fields);
      case 'error-6':
        return apiErrorReply(request, method, vkError(6).fields);
    }
  };
}

/** How many times each `random_id` reached each method, counting the calls inside
 * execute scripts: proof that retries resent the same id, and nothing else. */
export class RandomIdLedger {
  readonly #seen = new Map<string, Map<string, number>>();

  /** The gate to mount: `fake.gate(ledger.gate)`. */
  readonly gate: ApiGate = async (request, method, next) => {
    for (const call of callsOf(request, method)) {
      const id = call.params['random_id'];
      if (id === undefined) continue;
      const ids = this.#seen.get(call.method) ?? new Map<string, number>();
      ids.set(id, (ids.get(id) ?? 0) + 1);
      this.#seen.set(call.method, ids);
    }
    return next();
  };

  /** `random_id` -> times received, for `method`. */
  received(method: string): ReadonlyMap<string, number> {
    return this.#seen.get(method) ?? new Map();
  }
}

function callsOf(request: RecordedRequest, method: string): { method: string; params: Record<string, string> }[] {
  if (method !== 'execute') return [{ method, params: { ...request.params } }];
  try {
    return parseBatchScript(request.params['code'] ?? '');
  } catch {
    return []; // not a batch script: the execute route answers it
  }
}

/** `messages.send` as VK runs it: a `random_id` seen before returns the message it
 * created instead of sending another. */
export class MessageStore {
  /** Messages actually sent: `random_id` (or `none:<n>`) -> message id. */
  readonly sent = new Map<string, number>();
  #nextId = 1;

  /** The handler to mount: `fake.reply('messages.send', store.handler)`. */
  readonly handler: MethodHandler = (params) => {
    const randomId = params['random_id'];
    const key = randomId === undefined || randomId === '0' ? `none:${this.#nextId}` : randomId;
    const existing = this.sent.get(key);
    if (existing !== undefined) return existing;
    const id = this.#nextId++;
    this.sent.set(key, id);
    return id;
  };
}
