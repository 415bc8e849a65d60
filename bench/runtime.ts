// Runtime figures, each read next to a baseline measured in the same run:
// - calls/s with limits off against the fake VK server, next to raw undici
//   `request()` (and vk-io 4.10 when bench/.work has it); target >= 80% of raw;
// - effective calls/s through batching on a 3/s token;
// - how close 100 queued calls run to a 3/s limit's ideal time;
// - import time of the built package, and memory after 10,000 calls.
// The fake server runs in a process of its own (bench/lib/fake-vk-process.ts).
import { existsSync } from 'node:fs';
import http from 'node:http';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { API } from '../src/index.js';
import { callLoop } from './lib/child-scripts.js';
import { startFake } from './lib/fake-vk.js';
import { runIfMain } from './lib/main.js';
import { expectSuccess, repoRoot, timeNode } from './lib/processes.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { formatMs, formatSpread, runsFromEnv, spreadOf } from './lib/stats.js';
import { buildDist } from './typecheck.js';

const throughputCalls = 5000;
const vkIoCalls = 1000;
const concurrency = 32;
const memoryCalls = 10_000;
const vkIoEntry = resolve(repoRoot, 'bench/.work/vk-io/node_modules/vk-io/lib/index.mjs');
const distEntry = resolve(repoRoot, 'dist/src/index.js');
let tokenCount = 0;

/** A token no earlier measurement used: limiters are per token, per process. */
function freshToken(): string {
  tokenCount += 1;
  return `vk1.a.BENCH_${process.pid}_${tokenCount}_abcdefghijklmnopqrstuvwxyz`;
}

interface CallsRun {
  ms: number;
  /** CPU time this process spent per call, in microseconds: the client's own cost,
   * which wall time hides when the server is the bottleneck. */
  cpuPerCall: number;
}

/** Runs `count` calls, `concurrency` at a time. */
async function runCalls(count: number, call: () => Promise<unknown>): Promise<CallsRun> {
  let started = 0;
  const cpu = process.cpuUsage();
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) {
        started += 1;
        await call();
      }
    }),
  );
  const ms = performance.now() - begin;
  const { user, system } = process.cpuUsage(cpu);
  return { ms, cpuPerCall: (user + system) / count };
}

const perSecond = (calls: number, ms: number) => (calls * 1000) / ms;
const formatRate = (rate: number) => `${Math.round(rate).toLocaleString('en-US')} calls/s`;

async function benchThroughput(runs: number): Promise<SummaryRow[]> {
  console.log(`-- calls/s with limits off: users.get, ${concurrency} at a time, ${throughputCalls} calls a run`);
  const fake = await startFake();
  const token = freshToken();
  const form = new URLSearchParams({ v: '5.199', access_token: token, user_ids: '1' }).toString();
  const agent = new Agent();
  const raw = async () => {
    const { body } = await request(`${fake.apiBaseUrl}/users.get`, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      dispatcher: agent,
    });
    if (!('response' in ((await body.json()) as object))) throw new Error('raw: no response');
  };
  const api = new API({ accessToken: token, apiBaseUrl: fake.apiBaseUrl, rateLimit: false });
  const ours = () => api.users.get({ user_ids: [1] });
  const vkIo = existsSync(vkIoEntry) ? await loadVkIo(token, fake.apiBaseUrl) : undefined;
  if (!vkIo) console.log('(vk-io not in bench/.work: run bench/typecheck.ts once to install it)');

  const samples = { raw: [] as CallsRun[], ours: [] as CallsRun[], vkIo: [] as CallsRun[] };
  // A warm-up of each, then runs interleaved so load from other work hits all alike.
  await runCalls(1000, raw);
  await runCalls(1000, ours);
  if (vkIo) await runCalls(200, vkIo);
  for (let run = 0; run < runs; run += 1) {
    samples.raw.push(await runCalls(throughputCalls, raw));
    samples.ours.push(await runCalls(throughputCalls, ours));
    if (vkIo) samples.vkIo.push(await runCalls(vkIoCalls, vkIo));
  }
  await api.close();
  await agent.close();
  await fake.stop();

  const rates = (runsOf: CallsRun[], calls: number) => spreadOf(runsOf.map((run) => perSecond(calls, run.ms)));
  const cpu = (runsOf: CallsRun[]) => spreadOf(runsOf.map((run) => run.cpuPerCall)).median;
  const rawRate = rates(samples.raw, throughputCalls).median;
  const oursRate = rates(samples.ours, throughputCalls).median;
  const show = (label: string, runsOf: CallsRun[], calls: number) => {
    const spread = rates(runsOf, calls);
    console.log(
      `${label.padEnd(28)} ${formatRate(spread.median)} (min ${formatRate(spread.min)}, max ${formatRate(spread.max)}, ${runs} runs); ` +
        `client CPU ${Math.round(cpu(runsOf))} µs/call`,
    );
  };
  show('raw undici request()', samples.raw, throughputCalls);
  show('vk-typed API, limits off', samples.ours, throughputCalls);
  if (vkIo) show('vk-io 4.10.1, apiLimit 1e6', samples.vkIo, vkIoCalls);
  const ratio = oursRate / rawRate;
  const verdict = ratio >= 0.8 ? 'meets' : 'misses';
  console.log(`Target: at least 80% of raw undici: ${verdict} (${(ratio * 100).toFixed(0)}%).\n`);
  const rows: SummaryRow[] = [
    { bench: 'runtime', measured: 'raw undici request() (baseline)', median: formatRate(rawRate), against: '' },
    {
      bench: 'runtime',
      measured: 'vk-typed, limits off',
      median: formatRate(oursRate),
      against: `${(ratio * 100).toFixed(0)}% of raw; target >= 80%: ${verdict}`,
    },
    {
      bench: 'runtime',
      measured: 'client CPU per call, vk-typed',
      median: `${Math.round(cpu(samples.ours))} µs`,
      against: `raw undici ${Math.round(cpu(samples.raw))} µs`,
    },
  ];
  if (vkIo) {
    const vkIoRate = rates(samples.vkIo, vkIoCalls).median;
    rows.push({
      bench: 'runtime',
      measured: 'vk-io 4.10.1, apiLimit 1e6',
      median: formatRate(vkIoRate),
      against: `${((vkIoRate / rawRate) * 100).toFixed(1)}% of raw`,
    });
  }
  return rows;
}

async function loadVkIo(token: string, apiBaseUrl: string): Promise<() => Promise<unknown>> {
  const { VK } = (await import(pathToFileURL(vkIoEntry).href)) as {
    VK: new (options: object) => { api: { users: { get(params: object): Promise<unknown> } } };
  };
  // vk-io's own "no limit": its worker still spaces requests by ceil(1000 / apiLimit) ms.
  // Its default agent is https's; the fake server speaks plain http.
  const vk = new VK({ token, apiBaseUrl, apiLimit: 1e6, agent: new http.Agent({ keepAlive: true }) });
  return () => vk.api.users.get({ user_ids: [1] });
}

async function benchBatching(runs: number): Promise<SummaryRow[]> {
  const calls = 750;
  console.log(`-- batching on a 3/s token: ${calls} concurrent users.get calls, fake VK limit 3/s per token`);
  const fake = await startFake(3);
  const rates: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const api = new API({ accessToken: freshToken(), apiBaseUrl: fake.apiBaseUrl, batching: true });
    const begin = performance.now();
    await Promise.all(Array.from({ length: calls }, (_, id) => api.users.get({ user_ids: [id] })));
    rates.push(perSecond(calls, performance.now() - begin));
    await api.close();
  }
  const stats = await fake.stats();
  await fake.stop();
  const spread = spreadOf(rates);
  console.log(
    `${formatRate(spread.median)} (min ${formatRate(spread.min)}, max ${formatRate(spread.max)}, ${runs} runs); ` +
      `${stats.accepted} executes, ${stats.refused} error-6 replies, at most ${stats.busiest} requests in any second`,
  );
  console.log(
    "Ceiling: 25 calls x 3 executes/s = 75 calls/s steady; a burst also gets the first second's 3 executes at once.\n",
  );
  return [
    {
      bench: 'runtime',
      measured: `batching, 3/s token, ${calls} calls`,
      median: formatRate(spread.median),
      against: `ceiling 75 calls/s (+ first burst); ${stats.refused} error 6`,
    },
  ];
}

async function benchRateLimit(): Promise<SummaryRow[]> {
  const calls = 100;
  // 3 at once, then 3 more each second: the last call starts at floor(99 / 3) = 33 s.
  const idealMs = Math.floor((calls - 1) / 3) * 1000;
  console.log(`-- rate limit: ${calls} queued calls, client and fake VK both at 3/s (ideal ${formatMs(idealMs)})`);
  const fake = await startFake(3);
  const api = new API({ accessToken: freshToken(), apiBaseUrl: fake.apiBaseUrl });
  const begin = performance.now();
  await Promise.all(Array.from({ length: calls }, (_, id) => api.users.get({ user_ids: [id] })));
  const ms = performance.now() - begin;
  const stats = await fake.stats();
  await api.close();
  await fake.stop();
  const over = (ms / idealMs - 1) * 100;
  console.log(
    `${formatMs(ms)}: ${over.toFixed(1)}% over ideal; ${stats.refused} error-6 replies, at most ${stats.busiest} requests in any second\n`,
  );
  return [
    {
      bench: 'runtime',
      measured: `${calls} queued calls at 3/s`,
      median: formatMs(ms),
      against: `ideal ${formatMs(idealMs)}: +${over.toFixed(1)}% (target <= 10%); ${stats.refused} error 6`,
    },
  ];
}

/** A child script: `setup`, 100 warm-up calls (lazy modules load, connections
 * open), then heap and RSS before and after `memoryCalls` more, each after a GC. */
const memoryScript = (setup: string, call: string, teardown: string) => `
${setup}
${callLoop(call, concurrency)}
await calls(100);
globalThis.gc(); const before = process.memoryUsage();
await calls(${memoryCalls});
globalThis.gc(); const after = process.memoryUsage();
console.log(JSON.stringify({ before, after }));
${teardown}`;

/** A process each, so the figures are the package's alone. */
const memoryScripts = (apiBaseUrl: string) => ({
  'vk-typed': memoryScript(
    `const { API } = await import(${JSON.stringify(pathToFileURL(distEntry).href)});
const api = new API({ accessToken: 'bench-token', apiBaseUrl: ${JSON.stringify(apiBaseUrl)}, rateLimit: false });`,
    'api.users.get({ user_ids: [1] })',
    'await api.close();',
  ),
  'raw undici': memoryScript(
    `const { Agent, request } = await import('undici');
const agent = new Agent();
const body = 'v=5.199&access_token=bench-token&user_ids=1';
const headers = { 'content-type': 'application/x-www-form-urlencoded' };`,
    `request(${JSON.stringify(`${apiBaseUrl}/users.get`)}, { method: 'POST', body, headers, dispatcher: agent }).then((r) => r.body.json())`,
    'await agent.close();',
  ),
});

async function benchImportAndMemory(runs: number): Promise<SummaryRow[]> {
  console.log('-- import time (fresh node process, built dist/) and memory after 10,000 calls');
  await buildDist();
  const imports: Record<string, string> = {
    'bare node': '',
    'vk-typed': `await import(${JSON.stringify(pathToFileURL(distEntry).href)});`,
  };
  if (existsSync(vkIoEntry))
    imports['vk-io 4.10.1'] = `await import(${JSON.stringify(pathToFileURL(vkIoEntry).href)});`;
  const importMs = new Map<string, number[]>(Object.keys(imports).map((name) => [name, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const [name, code] of Object.entries(imports)) {
      importMs.get(name)!.push(expectSuccess(timeNode(['--input-type=module', '-e', code]), `import ${name}`).ms);
    }
  }
  for (const [name, samples] of importMs) console.log(`${name.padEnd(13)} ${formatSpread(spreadOf(samples), runs)}`);
  const bare = spreadOf(importMs.get('bare node')!).median;
  const ours = spreadOf(importMs.get('vk-typed')!).median;

  const fake = await startFake();
  const memory = new Map<string, { heapMb: number; growthMb: number; rssMb: number }>();
  for (const [name, script] of Object.entries(memoryScripts(fake.apiBaseUrl))) {
    const run = expectSuccess(timeNode(['--expose-gc', '--input-type=module', '-e', script]), `memory ${name}`);
    const { before, after } = JSON.parse(run.stdout) as Record<'before' | 'after', NodeJS.MemoryUsage>;
    const mb = (bytes: number) => bytes / 2 ** 20;
    memory.set(name, {
      heapMb: mb(after.heapUsed),
      growthMb: mb(after.heapUsed - before.heapUsed),
      rssMb: mb(after.rss),
    });
    console.log(
      `${name.padEnd(11)} after ${memoryCalls.toLocaleString('en-US')} calls: heap ${mb(after.heapUsed).toFixed(1)} MB ` +
        `(${(mb(after.heapUsed) - mb(before.heapUsed)).toFixed(2)} MB more than after 100), rss ${mb(after.rss).toFixed(1)} MB`,
    );
  }
  await fake.stop();
  console.log();
  const oursMemory = memory.get('vk-typed')!;
  const rawMemory = memory.get('raw undici')!;
  return [
    {
      bench: 'runtime',
      measured: 'import vk-typed (dist)',
      median: formatMs(ours),
      against: `bare node ${formatMs(bare)}: +${formatMs(ours - bare)}`,
    },
    {
      bench: 'runtime',
      measured: 'heap after 10,000 calls',
      median: `${oursMemory.heapMb.toFixed(1)} MB`,
      against:
        `raw undici ${rawMemory.heapMb.toFixed(1)} MB; grew ${oursMemory.growthMb.toFixed(2)} vs ` +
        `${rawMemory.growthMb.toFixed(2)} MB over the 10,000; rss ${oursMemory.rssMb.toFixed(0)} vs ${rawMemory.rssMb.toFixed(0)} MB`,
    },
  ];
}

export async function benchRuntime(): Promise<SummaryRow[]> {
  console.log(`== runtime: the send path against the fake VK server\n${machineLine()}\n`);
  return [
    ...(await benchThroughput(runsFromEnv(5))),
    ...(await benchBatching(runsFromEnv(1))),
    ...(await benchRateLimit()),
    ...(await benchImportAndMemory(runsFromEnv(5))),
  ];
}

runIfMain(import.meta.url, benchRuntime);
