// Limits and faults for the fake VK server, mounted with `server.gate(...)`: a
// per-token rate limit that answers error 6 as VK does, injected faults (dropped
// connections, slow replies, HTTP 502, mangled JSON, VK errors), a ledger of the
// `random_id`s each method received (inside execute too), and a `messages.send`
// that de-duplicates by `random_id` as VK does.

import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseBatchScript } from './execute.js';
import {
  DropConnection,
  RawReply,
  json,
  type ApiGate,
  type MethodHandler,
  type RecordedRequest,
} from './vk-server.js';

const windowMs = 1000;

function vkError(method: string, error_code: number, error_msg: string): RawReply {
  return json({ error: { error_code, error_msg, request_params: [{ key: 'method', value: method }] } });
}

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

  readonly gate: ApiGate = async (request, method, next) => {
    const token = request.params['access_token'] ?? '';
    const now = performance.now();
    const recent = (this.#recent.get(token) ?? []).filter((at) => at > now - windowMs);
    this.#recent.set(token, recent);
    if (recent.length >= this.perSecond) {
      this.refused += 1;
      return vkError(method, 6, 'Too many requests per second');
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

export type Fault =
  /** The connection drops before the call runs. */
  | 'reset'
  /** The call runs, then the connection drops: the reply is lost. */
  | 'reset-after-run'
  /** The call runs after `slowMs` (the reply comes late, or to nobody). */
  | 'slow'
  /** A gateway's HTML 502; the call does not run. */
  | 'http-502'
  /** The call runs; its JSON reply is cut short. */
  | 'malformed-json'
  /** VK's "Internal server error"; the call does not run. */
  | 'error-10'
  /** VK's "Too many requests per second"; the call does not run. */
  | 'error-6';

/** Faults for the next requests to a method (or `'*'`, any method), one per request, in order. */
export class FaultPlan {
  /** Faults applied so far, by kind. */
  readonly applied = new Map<Fault, number>();
  readonly #planned = new Map<string, Fault[]>();

  constructor(readonly slowMs = 300) {}

  inject(method: string, ...faults: Fault[]): void {
    this.#planned.set(method, [...(this.#planned.get(method) ?? []), ...faults]);
  }

  /** Faults planned but not applied yet. */
  get pending(): number {
    return [...this.#planned.values()].reduce((sum, faults) => sum + faults.length, 0);
  }

  readonly gate: ApiGate = async (_request, method, next) => {
    const fault = this.#planned.get(method)?.shift() ?? this.#planned.get('*')?.shift();
    if (fault === undefined) return next();
    this.applied.set(fault, (this.applied.get(fault) ?? 0) + 1);
    switch (fault) {
      case 'reset':
        throw new DropConnection('injected reset');
      case 'reset-after-run':
        await next();
        throw new DropConnection('injected reset after the call ran');
      case 'slow':
        await delay(this.slowMs);
        return next();
      case 'http-502':
        return new RawReply(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'content-type': 'text/html' });
      case 'malformed-json': {
        const reply = await next();
        const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        return new RawReply(200, body.slice(0, Math.max(1, body.length - 3)), reply.headers);
      }
      case 'error-10':
        return vkError(method, 10, 'Internal server error');
      case 'error-6':
        return vkError(method, 6, 'Too many requests per second');
    }
  };
}

/** How many times each `random_id` reached each method, counting the calls inside
 * execute scripts: proof that retries resent the same id, and nothing else. */
export class RandomIdLedger {
  readonly #seen = new Map<string, Map<string, number>>();

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
