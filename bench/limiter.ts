// What sharing a token's limit through Redis costs, and what token pools deliver,
// each read next to a baseline measured in the same run:
// - the latency of a call with the Redis store, against the in-process store and
//   against no limiter at all, at a community token's pace (a call every 60 ms, under
//   its 20/s: no call waits for the limit, so what differs is the store's own cost);
// - calls/s through a pool of 5 community tokens against one token, at VK's 20/s per
//   token (the fake VK answers error 6 past it), with the in-process and the Redis store.
// The fake VK runs in a process of its own (bench/lib/fake-vk-process.ts), redis-server
// in another (test/fakes/redis-server.ts).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { API, type APIOptions } from '../src/index.js';
import { RedisRateLimitStore } from '../src/redis/index.js';
import { startRedisServer } from '../test/fakes/redis-server.js';
import { startFake, type FakeProcess } from './lib/fake-vk.js';
import { runIfMain } from './lib/main.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { runsFromEnv, spreadOf } from './lib/stats.js';

/** Calls per variant per run, one every `paceMs`. */
const pacedCalls = 100;
const paceMs = 60;
const perTokenLimit = 20;
const poolSize = 5;
/** Calls per token in the pool runs: 5 s of work at 20/s. */
const callsPerToken = 100;
let tokenCount = 0;

function freshToken(): string {
  tokenCount += 1;
  return `vk1.a.BENCH_LIMITER_${process.pid}_${tokenCount}_abcdefghijklmnopqrstuvwxyz`;
}

/** Runs `count` calls all at once; returns the wall time in ms. */
async function timeBurst(count: number, call: (id: number) => Promise<unknown>): Promise<number> {
  const begin = performance.now();
  await Promise.all(Array.from({ length: count }, (_, id) => call(id)));
  return performance.now() - begin;
}

/** The latency of each of `count` calls, one started every `paceMs`, each alone in flight. */
async function pacedLatencies(count: number, call: (id: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  for (let id = 0; id < count; id += 1) {
    const begin = performance.now();
    await call(id);
    const ms = performance.now() - begin;
    latencies.push(ms);
    await sleep(Math.max(0, paceMs - ms));
  }
  return latencies;
}

const rate = (calls: number, ms: number) => (calls * 1000) / ms;
const formatRate = (value: number) => `${Math.round(value).toLocaleString('en-US')} calls/s`;
const formatUs = (ms: number) => `${Math.round(ms * 1000)} µs`;
const percentile = (samples: readonly number[], p: number) =>
  [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * p))]!;

interface Variant {
  readonly name: string;
  readonly options: Partial<APIOptions>;
}

async function benchLatency(fake: FakeProcess, store: RedisRateLimitStore, runs: number): Promise<SummaryRow[]> {
  console.log(
    `-- latency per call: users.get on a community token (limit ${perTokenLimit}/s), one call every ${paceMs} ms, ` +
      `${pacedCalls} calls per variant a run, variants interleaved`,
  );
  const variants: Variant[] = [
    { name: 'no limiter (rateLimit: false)', options: { rateLimit: false } },
    { name: 'in-process store (default)', options: {} },
    { name: 'Redis store', options: { rateLimitStore: store } },
  ];
  const sessions = variants.map((variant) => ({
    variant,
    samples: [] as number[],
    api: new API({ accessToken: freshToken(), tokenType: 'group', apiBaseUrl: fake.apiBaseUrl, ...variant.options }),
  }));
  // A warm-up of each (modules loaded, connections open).
  for (const { api } of sessions) await pacedLatencies(10, (id) => api.users.get({ user_ids: [id] }));
  for (let run = 0; run < runs; run += 1) {
    for (const session of sessions) {
      session.samples.push(...(await pacedLatencies(pacedCalls, (id) => session.api.users.get({ user_ids: [id] }))));
    }
  }
  for (const { api } of sessions) await api.close();

  for (const { variant, samples } of sessions) {
    const spread = spreadOf(samples);
    console.log(
      `${variant.name.padEnd(30)} median ${formatUs(spread.median)}, p90 ${formatUs(percentile(samples, 0.9))}, ` +
        `min ${formatUs(spread.min)} (${samples.length} calls)`,
    );
  }
  const [none, inProcess, redis] = sessions.map(({ samples }) => spreadOf(samples).median) as [number, number, number];
  console.log(
    `Redis store: +${formatUs(redis - inProcess)} per call over the in-process store ` +
      `(which adds ${formatUs(inProcess - none)} over no limiter).\n`,
  );
  return [
    {
      bench: 'limiter',
      measured: 'latency/call, in-process store',
      median: formatUs(inProcess),
      against: `no limiter ${formatUs(none)}: +${formatUs(inProcess - none)}`,
    },
    {
      bench: 'limiter',
      measured: 'latency/call, Redis store',
      median: formatUs(redis),
      against: `in-process ${formatUs(inProcess)}: +${formatUs(redis - inProcess)}`,
    },
  ];
}

async function benchPool(url: string, runs: number): Promise<SummaryRow[]> {
  console.log(
    `-- token pool: community tokens at ${perTokenLimit}/s each (fake VK: error 6 past it), ` +
      `${callsPerToken} concurrent calls per token: one token against a pool of ${poolSize}`,
  );
  const fake = await startFake(perTokenLimit);
  const store = new RedisRateLimitStore({ url });
  const setups = [
    { name: '1 token, in-process store', tokens: 1, store: undefined },
    { name: `pool of ${poolSize}, in-process store`, tokens: poolSize, store: undefined },
    { name: '1 token, Redis store', tokens: 1, store },
    { name: `pool of ${poolSize}, Redis store`, tokens: poolSize, store },
  ];
  const rates = new Map<string, number[]>(setups.map((setup) => [setup.name, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const setup of setups) {
      const tokens = Array.from({ length: setup.tokens }, freshToken);
      const common = { apiBaseUrl: fake.apiBaseUrl, tokenType: 'group' as const, rateLimitStore: setup.store };
      const api =
        setup.tokens === 1
          ? new API({ ...common, accessToken: tokens[0] })
          : new API({ ...common, accessToken: tokens });
      const calls = setup.tokens * callsPerToken;
      const ms = await timeBurst(calls, (id) => api.users.get({ user_ids: [id] }));
      rates.get(setup.name)!.push(rate(calls, ms));
      await api.close();
    }
  }
  const stats = await fake.stats();
  await store.close();
  await fake.stop();
  const median = (name: string) => spreadOf(rates.get(name)!).median;
  for (const { name } of setups) console.log(`${name.padEnd(30)} ${formatRate(median(name))}`);
  console.log(
    `${stats.refused} error-6 replies, at most ${stats.busiest} requests of one token in any second. ` +
      `Ceiling: ${perTokenLimit} calls/s per token steady; a burst also gets its first second's ${perTokenLimit} at once ` +
      `(${callsPerToken} calls: ${Math.round(callsPerToken / Math.floor((callsPerToken - 1) / perTokenLimit))} calls/s).\n`,
  );
  const ratio = (pooled: string, single: string) => `${(median(pooled) / median(single)).toFixed(2)}x of one token`;
  return [
    {
      bench: 'limiter',
      measured: `pool of ${poolSize}, in-process`,
      median: formatRate(median(setups[1]!.name)),
      against: `1 token ${formatRate(median(setups[0]!.name))}: ${ratio(setups[1]!.name, setups[0]!.name)}; ${stats.refused} error 6`,
    },
    {
      bench: 'limiter',
      measured: `pool of ${poolSize}, Redis store`,
      median: formatRate(median(setups[3]!.name)),
      against: `1 token ${formatRate(median(setups[2]!.name))}: ${ratio(setups[3]!.name, setups[2]!.name)}`,
    },
  ];
}

export async function benchLimiter(): Promise<SummaryRow[]> {
  console.log(`== limiter: the Redis store's cost, and token pools\n${machineLine()}\n`);
  const redis = await startRedisServer();
  try {
    const fake = await startFake();
    const store = new RedisRateLimitStore({ url: redis.url });
    let rows: SummaryRow[];
    try {
      rows = await benchLatency(fake, store, runsFromEnv(2));
    } finally {
      await store.close();
      await fake.stop();
    }
    return [...rows, ...(await benchPool(redis.url, runsFromEnv(1)))];
  } finally {
    await redis.stop();
  }
}

runIfMain(import.meta.url, benchLimiter);
