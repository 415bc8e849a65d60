// What params validation costs, in a fresh process per run (every figure cold
// as a user's process starts): importing the SDK (validation adds nothing to
// it), the first check (imports ajv and the schemas, compiles one method), the
// first check of a second method (one more compile), the first response check
// of wall.get (the biggest response graph), and a warm check per call, read
// against encoding the same params, which every call does anyway.
import { runIfMain } from './lib/main.js';
import { expectSuccess, timeNode, tsxCli } from './lib/processes.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { formatMs, formatSpread, runsFromEnv, spreadOf } from './lib/stats.js';

const warmCalls = 20_000;

/** Runs in the child; prints one JSON line of figures in ms. */
const child = `
const { performance } = await import('node:perf_hooks');
let started = performance.now();
const { API } = await import('./src/index');
const importMs = performance.now() - started;
const { SchemaChecks } = await import('./src/validation/schema-checks');
const { encodeParams } = await import('./src/pipeline/encode-params');
const checks = new SchemaChecks({ validateResponses: 'throw' });
const params = { user_ids: [1, 2, 'durov'], fields: ['city', 'photo_100'], name_case: 'gen' };
started = performance.now();
await checks.checkParams('users.get', params);
const firstMs = performance.now() - started;
started = performance.now();
await checks.checkParams('messages.send', { peer_id: 1, random_id: 1, message: 'hi', keyboard: { one_time: true, buttons: [] } });
const secondMethodMs = performance.now() - started;
started = performance.now();
await checks.checkResponse('wall.get', {}, { count: 0, items: [] });
const wallResponseMs = performance.now() - started;
started = performance.now();
for (let i = 0; i < ${warmCalls}; i++) await checks.checkParams('users.get', params);
const warmUs = ((performance.now() - started) / ${warmCalls}) * 1000;
started = performance.now();
for (let i = 0; i < ${warmCalls}; i++) encodeParams(params);
const encodeUs = ((performance.now() - started) / ${warmCalls}) * 1000;
console.log(JSON.stringify({ importMs, firstMs, secondMethodMs, wallResponseMs, warmUs, encodeUs, made: typeof API }));
`;

interface Figures {
  importMs: number;
  firstMs: number;
  secondMethodMs: number;
  wallResponseMs: number;
  warmUs: number;
  encodeUs: number;
}

export async function benchValidation(): Promise<SummaryRow[]> {
  const runs = runsFromEnv(5);
  console.log(`== validation\n${machineLine()}\n`);
  const results = Array.from({ length: runs }, () => {
    const run = expectSuccess(timeNode([tsxCli, '--input-type=module', '-e', child]), 'validation child');
    return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Figures;
  });
  const spread = (key: keyof Figures) => spreadOf(results.map((r) => r[key]));
  const us = (value: number) => `${value.toFixed(1)} µs`;
  const lines: [string, keyof Figures, string][] = [
    ['import the SDK (src/index.ts, through tsx)', 'importMs', 'validation loads nothing here'],
    ['first params check (ajv + schemas + 1 compile)', 'firstMs', 'once per process'],
    ['first check of a second method (1 compile)', 'secondMethodMs', 'once per method'],
    ['first wall.get response check (biggest graph)', 'wallResponseMs', 'once per response variant'],
  ];
  for (const [label, key] of lines) console.log(`${label}: ${formatSpread(spread(key), runs)}`);
  const warm = spread('warmUs');
  const encode = spread('encodeUs');
  console.log(`warm users.get params check, per call: ${us(warm.median)} (min ${us(warm.min)}, max ${us(warm.max)})`);
  console.log(
    `encoding the same params, per call: ${us(encode.median)} (min ${us(encode.min)}, max ${us(encode.max)})`,
  );
  return [
    ...lines.map(([label, key, against]) => ({
      bench: 'validation',
      measured: label,
      median: formatMs(spread(key).median),
      against,
    })),
    {
      bench: 'validation',
      measured: 'warm params check, per call',
      median: us(warm.median),
      against: `encoding the same params: ${us(encode.median)}`,
    },
  ];
}

runIfMain(import.meta.url, benchValidation);
