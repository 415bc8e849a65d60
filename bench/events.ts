// Receiving events: what BotsLongPoll costs over a raw loop of undici requests on
// the same fake long poll server (src/testing/long-poll.ts, in a process of its own
// so that the client measured has its event loop to itself):
// - events/s, 100 events a reply, 20,000 events a run, next to the raw loop;
// - the added latency per event: one event a reply, 2,000 replies, the time per
//   event through BotsLongPoll minus the raw loop's;
// - memory over 100,000 events: heap after GC every 20,000 events, in a fresh
//   `node --expose-gc` process (flat once the 10,000 remembered event ids are full).
// Figures only; nothing is asserted. Run: npx tsx bench/events.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { API } from '../src/index.js';
import { BotsLongPoll } from '../src/events/bots-long-poll.js';
import { startFakeLongPoll } from '../src/testing/long-poll.js';
import { runIfMain } from './lib/main.js';
import { repoRoot } from './lib/processes.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { runsFromEnv, spreadOf } from './lib/stats.js';

const role = process.env['EVENTS_BENCH_ROLE'];
const throughputEvents = 20_000;
const latencyEvents = 2_000;
const memoryEvents = 100_000;
const memoryEvery = 20_000;
const token = 'vk1.a.BENCH_EVENTS_abcdefghijklmnopqrstuvwxyz0123456789';

/** A message_new as VK sends it (about 600 bytes of JSON). */
function messageNew(n: number): object {
  return {
    type: 'message_new',
    object: {
      message: {
        date: 1700000000 + n,
        from_id: 1000 + (n % 97),
        id: n,
        out: 0,
        attachments: [],
        conversation_message_id: n,
        fwd_messages: [],
        important: false,
        is_hidden: false,
        peer_id: 1000 + (n % 97),
        random_id: 0,
        text: `Hello from the bench, message number ${n}`,
      },
      client_info: { button_actions: ['text', 'vkpay', 'open_app', 'location', 'open_link', 'callback'], keyboard: true, inline_keyboard: true, carousel: true, lang_id: 0 },
    },
    group_id: 1,
    event_id: `${n.toString(16).padStart(8, '0')}c68dfb983247fea8ac98ea0ea59717df71d`,
    v: '5.199',
  };
}

// -- the child processes ---------------------------------------------------

/** Serves `EVENTS_BENCH_COUNT` events, `EVENTS_BENCH_BATCH` a reply; prints its URL; ends when stdin closes. */
async function serve(): Promise<void> {
  const fake = await startFakeLongPoll({ batch: Number(process.env['EVENTS_BENCH_BATCH']), idleReply: 25_000 });
  const count = Number(process.env['EVENTS_BENCH_COUNT']);
  for (let n = 1; n <= count; n += 1) fake.push(messageNew(n));
  // The fake records every request for tests; a bench would only grow that list.
  setInterval(() => {
    fake.vk.requests.length = 0;
  }, 1000).unref();
  console.log(fake.vk.url);
  process.stdin.on('end', () => void fake.close().then(() => process.exit(0)));
  process.stdin.resume();
}

/** Receives 100,000 events through BotsLongPoll, printing the heap after GC every 20,000. */
async function measureMemory(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const api = new API({ accessToken: token, apiBaseUrl: `${process.env['EVENTS_BENCH_URL']}/method`, rateLimit: false });
  const poll = new BotsLongPoll(api, { groupId: 1 });
  let received = 0;
  for await (const event of poll) {
    received += 1;
    if (event.type !== 'message_new') throw new Error(`unexpected ${event.type}`);
    if (received % memoryEvery === 0) {
      gc();
      console.log(JSON.stringify({ events: received, heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss }));
    }
    if (received === memoryEvents) break;
  }
  await api.close();
}

// -- the parent -------------------------------------------------------------

interface Child {
  child: ChildProcess;
  firstLine: Promise<string>;
  lines: string[];
  exited: Promise<unknown>;
}

function child(env: Record<string, string>, nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'bench/events.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const reader = createInterface({ input: proc.stdout! });
  const firstLine = new Promise<string>((resolve, reject) => {
    reader.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`bench child exited with ${code}`)));
  });
  reader.on('line', (line) => lines.push(line));
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  return { child: proc, firstLine, lines, exited };
}

async function startServer(batch: number, count: number): Promise<{ url: string; stop(): Promise<void> }> {
  const server = child({ EVENTS_BENCH_ROLE: 'server', EVENTS_BENCH_BATCH: String(batch), EVENTS_BENCH_COUNT: String(count) });
  const url = await server.firstLine;
  return {
    url,
    async stop() {
      server.child.stdin!.end();
      await server.exited;
    },
  };
}

interface Run {
  ms: number;
  /** CPU time of this process per event, µs: the client's own cost, which wall time hides. */
  cpuPerEvent: number;
}

async function timed(events: number, receive: () => Promise<void>): Promise<Run> {
  const cpu = process.cpuUsage();
  const begin = performance.now();
  await receive();
  const ms = performance.now() - begin;
  const { user, system } = process.cpuUsage(cpu);
  return { ms, cpuPerEvent: (user + system) / events };
}

/** The same protocol by hand: groups.getLongPollServer, then a_check from each reply's ts. */
async function rawLoop(url: string, count: number): Promise<void> {
  const agent = new Agent();
  const { body } = await request(`${url}/method/groups.getLongPollServer`, {
    method: 'POST',
    body: new URLSearchParams({ group_id: '1', access_token: token, v: '5.199' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    dispatcher: agent,
  });
  const { response } = (await body.json()) as { response: { key: string; server: string; ts: string } };
  let ts = response.ts;
  let received = 0;
  while (received < count) {
    const reply = await request(`${response.server}?act=a_check&key=${response.key}&ts=${ts}&wait=25`, { dispatcher: agent });
    const { ts: next, updates } = (await reply.body.json()) as { ts: string; updates: { type: string }[] };
    for (const update of updates) if (update.type === 'message_new') received += 1;
    ts = next;
  }
  await agent.close();
}

async function sdkLoop(url: string, count: number): Promise<void> {
  const api = new API({ accessToken: token, apiBaseUrl: `${url}/method`, rateLimit: false });
  let received = 0;
  for await (const event of new BotsLongPoll(api, { groupId: 1 })) {
    if (event.type === 'message_new') received += 1;
    if (received === count) break;
  }
  await api.close();
}

async function compare(url: string, events: number, runs: number): Promise<{ raw: Run[]; sdk: Run[] }> {
  // A warm-up of each, then the runs interleaved so that other load hits both alike.
  await rawLoop(url, Math.min(events, 2000));
  await sdkLoop(url, Math.min(events, 2000));
  const raw: Run[] = [];
  const sdk: Run[] = [];
  for (let run = 0; run < runs; run += 1) {
    raw.push(await timed(events, () => rawLoop(url, events)));
    sdk.push(await timed(events, () => sdkLoop(url, events)));
  }
  return { raw, sdk };
}

const median = (runs: Run[], pick: (run: Run) => number) => spreadOf(runs.map(pick)).median;
const rate = (events: number) => (run: Run) => (events * 1000) / run.ms;
const formatRate = (value: number) => `${Math.round(value).toLocaleString('en-US')} events/s`;

async function benchThroughput(runs: number): Promise<SummaryRow[]> {
  console.log(`-- events/s: ${throughputEvents.toLocaleString('en-US')} message_new events a run, 100 a reply, ${runs} runs`);
  const server = await startServer(100, throughputEvents);
  const { raw, sdk } = await compare(server.url, throughputEvents, runs);
  await server.stop();
  const rawRate = median(raw, rate(throughputEvents));
  const sdkRate = median(sdk, rate(throughputEvents));
  const spread = (list: Run[]) => spreadOf(list.map(rate(throughputEvents)));
  for (const [label, list] of [['raw undici request() loop', raw], ['BotsLongPoll', sdk]] as const) {
    const { min, max } = spread(list);
    console.log(`${label.padEnd(26)} ${formatRate(median(list, rate(throughputEvents)))} (min ${formatRate(min)}, max ${formatRate(max)}); client CPU ${median(list, (r) => r.cpuPerEvent).toFixed(1)} µs/event`);
  }
  console.log(`BotsLongPoll: ${((sdkRate / rawRate) * 100).toFixed(0)}% of the raw loop's events/s.\n`);
  return [
    { bench: 'events', measured: 'raw undici loop, 100 events a reply (baseline)', median: formatRate(rawRate), against: '' },
    { bench: 'events', measured: 'BotsLongPoll, 100 events a reply', median: formatRate(sdkRate), against: `${((sdkRate / rawRate) * 100).toFixed(0)}% of raw` },
    {
      bench: 'events',
      measured: 'client CPU per event, BotsLongPoll',
      median: `${median(sdk, (r) => r.cpuPerEvent).toFixed(1)} µs`,
      against: `raw loop ${median(raw, (r) => r.cpuPerEvent).toFixed(1)} µs`,
    },
  ];
}

async function benchLatency(runs: number): Promise<SummaryRow[]> {
  console.log(`-- added latency per event: one event a reply, ${latencyEvents.toLocaleString('en-US')} replies a run, ${runs} runs`);
  const server = await startServer(1, latencyEvents);
  const { raw, sdk } = await compare(server.url, latencyEvents, runs);
  await server.stop();
  const perEvent = (run: Run) => (run.ms * 1000) / latencyEvents;
  const rawUs = median(raw, perEvent);
  const sdkUs = median(sdk, perEvent);
  console.log(`raw undici request() loop  ${rawUs.toFixed(0)} µs/event`);
  console.log(`BotsLongPoll               ${sdkUs.toFixed(0)} µs/event: ${(sdkUs - rawUs).toFixed(0)} µs added\n`);
  return [
    { bench: 'events', measured: 'time per event, one a reply, raw loop (baseline)', median: `${rawUs.toFixed(0)} µs`, against: '' },
    { bench: 'events', measured: 'time per event, one a reply, BotsLongPoll', median: `${sdkUs.toFixed(0)} µs`, against: `${(sdkUs - rawUs).toFixed(0)} µs added per event` },
  ];
}

async function benchMemory(): Promise<SummaryRow[]> {
  console.log(`-- memory over ${memoryEvents.toLocaleString('en-US')} events: heap after GC every ${memoryEvery.toLocaleString('en-US')}`);
  const server = await startServer(100, memoryEvents);
  const measure = child({ EVENTS_BENCH_ROLE: 'memory', EVENTS_BENCH_URL: server.url }, ['--expose-gc']);
  const code = await measure.exited;
  await server.stop();
  if (code !== 0) throw new Error(`the memory child exited with ${String(code)}`);
  const samples = measure.lines.map((line) => JSON.parse(line) as { events: number; heapUsed: number; rss: number });
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  for (const sample of samples) console.log(`${sample.events.toLocaleString('en-US').padStart(8)} events: heap ${mb(sample.heapUsed)}, rss ${mb(sample.rss)}`);
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const growth = last.heapUsed - first.heapUsed;
  console.log(`heap from ${first.events.toLocaleString('en-US')} to ${last.events.toLocaleString('en-US')} events: ${growth >= 0 ? '+' : ''}${mb(growth)}\n`);
  return [
    {
      bench: 'events',
      measured: `heap after ${memoryEvents.toLocaleString('en-US')} events (GC)`,
      median: mb(last.heapUsed),
      against: `${growth >= 0 ? '+' : ''}${mb(growth)} since ${first.events.toLocaleString('en-US')} events`,
    },
  ];
}

export async function benchEvents(): Promise<SummaryRow[]> {
  const runs = runsFromEnv(5);
  console.log(`== events (${machineLine()})\n`);
  return [...(await benchThroughput(runs)), ...(await benchLatency(runs)), ...(await benchMemory())];
}

if (role === 'server') await serve();
else if (role === 'memory') await measureMemory();
else runIfMain(import.meta.url, benchEvents);
