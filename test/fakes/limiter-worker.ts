// One worker process of the shared-limit tests (test/redis/): an API session whose
// rate limit lives in Redis, firing its calls all at once on the token, as one of
// several workers of a bot would. Settings come from the environment; it says
// "ready" on stdout once warmed up (modules loaded, Redis connected), starts on a "go"
// line on stdin, and prints one JSON line with what each call got.
//
//   VK_API_BASE_URL, REDIS_URL, TOKEN (or TOKENS, comma-separated: a pool),
//   CALLS, FIRST_ID (user ids FIRST_ID... are asked for), RATE_LIMIT

import { createInterface } from 'node:readline';
import { API } from '../../src/index.js';
import { RedisRateLimitStore } from '../../src/redis/index.js';

export interface WorkerReport {
  /** The user ids the calls got back. */
  readonly ids: number[];
  /** Messages of the calls that failed. */
  readonly failures: string[];
  /** What the store reported (Redis unavailable / back). */
  readonly statuses: boolean[];
}

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`limiter-worker: $${name} is not set`);
  return value;
}

const statuses: boolean[] = [];
const store = new RedisRateLimitStore({
  url: setting('REDIS_URL'),
  onStatus: (status) => statuses.push(status.available),
});
const common = {
  apiBaseUrl: setting('VK_API_BASE_URL'),
  rateLimit: Number(setting('RATE_LIMIT')),
  rateLimitStore: store,
};
const tokens = process.env['TOKENS']?.split(',');
const api = tokens
  ? new API({ ...common, accessToken: tokens })
  : new API({ ...common, accessToken: setting('TOKEN') });
const calls = Number(setting('CALLS'));
const firstId = Number(setting('FIRST_ID'));

// Warm-up on a token of its own: validators loaded, a connection to VK and one to Redis open.
const warmUp = new API({ ...common, accessToken: `warm-up-${process.pid}` });
await warmUp.users.get({ user_ids: [0] });
await warmUp.close();

const lines = createInterface({ input: process.stdin });
console.log('ready');
await new Promise<void>((resolve) => lines.once('line', () => resolve()));

const outcomes = await Promise.allSettled(
  Array.from({ length: calls }, (_, i) => api.users.get({ user_ids: [firstId + i] })),
);
const report: WorkerReport = {
  ids: outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value.map((user) => user.id) : [])),
  failures: outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason)] : [])),
  statuses,
};
console.log(JSON.stringify(report));
await api.close();
await store.close();
lines.close();
