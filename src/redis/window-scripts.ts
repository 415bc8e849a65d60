// The sliding window of one token, kept in Redis by Lua scripts so that every step is
// atomic across processes. A token has two keys: a sorted set of its grants (member:
// a grant id; score: the latest time, in Redis's clock, the request can have reached
// VK) and a pause flag set after error 6. Scores follow the in-process limiter
// (../pipeline/rate-limit.ts): a grant not yet written counts as arriving any moment
// until its lease ends (its request's timeout: it can no longer be written by then);
// a written one as arrived within the allowance; a done one as arrived by then. Both
// keys expire when nothing in them can count any more.

import { createHash } from 'node:crypto';
import { arrivalAllowanceMs, windowMs } from '../pipeline/rate-limit-store.js';

/** What the store needs of a Redis client. node-redis clients (`createClient()`,
 * `createCluster()`, v4 or later) fit as they are. */
export interface RedisScriptClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** `false` while the client is not connected: the store then stops waiting for it at once. */
  readonly isReady?: boolean;
}

const clock = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000`;

/** The window key lives as long as its latest score can count. */
const expireWindow = `local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
if last then redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(last) + ${windowMs} - now) + 1) end`;

/**
 * KEYS: the window, the pause flag. ARGV: perSecond, lease (ms), deadline (Redis ms,
 * 0 for none), then the ids to grant. Grants as many of the ids as fit; returns
 * `{granted, wait, now}`: `granted` -1 when the deadline had passed (the caller gave
 * up waiting for Redis: nothing granted); when not all fit, `wait` is the ms until
 * one may (-1: unknown, a grant not yet written holds the window).
 */
const acquireSource = `${clock}
if tonumber(ARGV[3]) > 0 and now > tonumber(ARGV[3]) then return {-1, 0, math.floor(now)} end
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {0, paused, math.floor(now)} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ${windowMs})
local perSecond = tonumber(ARGV[1])
local used = redis.call('ZCARD', KEYS[1])
local wanted = #ARGV - 3
local granted = math.max(0, math.min(wanted, perSecond - used))
for i = 1, granted do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3 + i]) end
if granted > 0 then
  ${expireWindow.replaceAll('\n', '\n  ')}
end
if granted == wanted then return {granted, 0, math.floor(now)} end
used = used + granted
local held = tonumber(redis.call('ZRANGE', KEYS[1], used - perSecond, used - perSecond, 'WITHSCORES')[2])
if held > now + ${arrivalAllowanceMs} then return {granted, -1, math.floor(now)} end
return {granted, math.ceil(held + ${windowMs} - now), math.floor(now)}`;

/** KEYS: the window. ARGV: 'written', 'done' or 'cancel', then the grant id. */
const updateSource = `if ARGV[1] == 'cancel' then return redis.call('ZREM', KEYS[1], ARGV[2]) end
local score = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not score then return 0 end
${clock}
if ARGV[1] == 'written' then
  redis.call('ZADD', KEYS[1], now + ${arrivalAllowanceMs}, ARGV[2])
  ${expireWindow.replaceAll('\n', '\n  ')}
elseif now < tonumber(score) then
  redis.call('ZADD', KEYS[1], now, ARGV[2])
end
return 1`;

/** KEYS: the pause flag. */
const pauseSource = `redis.call('SET', KEYS[1], '1', 'PX', ${windowMs})
return 1`;

const probeSource = 'return 1';

export interface Script {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): Script {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

export const scripts = {
  acquire: script(acquireSource),
  update: script(updateSource),
  pause: script(pauseSource),
  probe: script(probeSource),
} as const;

export type GrantUpdate = 'written' | 'done' | 'cancel';

/** What the acquire script answered. */
export interface AcquireReply {
  /** How many of the ids were granted, from the first; -1: none, the deadline had passed. */
  readonly granted: number;
  /** When not all were granted: ms until one may be (-1: unknown). */
  readonly wait: number;
  /** Redis's clock when the script ran, in ms. */
  readonly now: number;
}

/** Runs a script by its hash, loading it first if Redis does not have it (a restart, a failover). */
export async function runScript(
  client: RedisScriptClient,
  { source, sha1 }: Script,
  keys: string[],
  args: string[],
): Promise<unknown> {
  const options = { keys, arguments: args };
  try {
    return await client.evalSha(sha1, options);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
    return client.eval(source, options);
  }
}

export function acquireReply(reply: unknown): AcquireReply {
  if (!Array.isArray(reply) || reply.length !== 3 || !reply.every((item) => typeof item === 'number')) {
    throw new TypeError('the acquire script got a reply that is not three numbers');
  }
  const [granted, wait, now] = reply as [number, number, number];
  return { granted, wait, now };
}
