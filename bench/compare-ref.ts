// This tree against an earlier commit: calls/s with limits off and the import time
// of the built package, for this tree and for the tree at $BENCH_BASELINE_REF
// (default: the last commit before src/ moved into folders), interleaved in one run
// so load from other work hits both alike. Each run is a fresh process, so neither
// tree warms the other's caches.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { callLoop } from './lib/child-scripts.js';
import { startFake } from './lib/fake-vk.js';
import { runIfMain } from './lib/main.js';
import { expectSuccess, repoRoot, timeNode } from './lib/processes.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { formatMs, formatSpread, runsFromEnv, spreadOf } from './lib/stats.js';
import { buildDist } from './typecheck.js';

/** The last commit with every runtime module at the root of src/. */
const defaultBaseline = '593a910';
const calls = 5000;
const concurrency = 32;

/** The baseline's files (git archive, no checkout of this repo touched), with this repo's node_modules. */
async function baselineTree(ref: string): Promise<string> {
  const commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const dir = resolve(repoRoot, `bench/.work/baseline-${commit}`);
  if (!existsSync(resolve(dir, 'package.json'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: repoRoot });
    symlinkSync(resolve(repoRoot, 'node_modules'), resolve(dir, 'node_modules'));
  }
  await buildDist(dir);
  return dir;
}

/** A child that imports the built package, warms up, then times `calls` calls (limits off, checks on). */
function callsScript(entry: string, apiBaseUrl: string): string {
  return `const { API } = await import(${JSON.stringify(pathToFileURL(entry).href)});
const api = new API({ accessToken: 'bench-layout-token', apiBaseUrl: ${JSON.stringify(apiBaseUrl)}, rateLimit: false });
${callLoop('api.users.get({ user_ids: [1] })', concurrency)}
await calls(1000);
const begin = performance.now();
await calls(${calls});
console.log(performance.now() - begin);
await api.close();`;
}

export async function benchCompareRef(): Promise<SummaryRow[]> {
  const ref = process.env['BENCH_BASELINE_REF'] ?? defaultBaseline;
  console.log(`== compare-ref: this tree (after) against ${ref} (before), interleaved\n${machineLine()}\n`);
  await buildDist();
  const trees = { before: await baselineTree(ref), after: repoRoot };
  const entries = Object.entries(trees).map(([name, root]) => [name, resolve(root, 'dist/src/index.js')] as const);

  const importRuns = runsFromEnv(15);
  const importMs = new Map(entries.map(([name]) => [name, [] as number[]]));
  for (let run = 0; run < importRuns; run += 1) {
    for (const [name, entry] of entries) {
      const code = `await import(${JSON.stringify(pathToFileURL(entry).href)});`;
      importMs.get(name)!.push(expectSuccess(timeNode(['--input-type=module', '-e', code]), `import (${name})`).ms);
    }
  }

  const callRuns = runsFromEnv(5);
  const rates = new Map(entries.map(([name]) => [name, [] as number[]]));
  const fake = await startFake();
  for (let run = 0; run < callRuns; run += 1) {
    for (const [name, entry] of entries) {
      const child = expectSuccess(timeNode(['--input-type=module', '-e', callsScript(entry, fake.apiBaseUrl)]), `calls (${name})`);
      rates.get(name)!.push((calls * 1000) / Number(child.stdout.trim()));
    }
  }
  await fake.stop();

  console.log(`import of dist/src/index.js, fresh node process:`);
  for (const [name, samples] of importMs) console.log(`  ${name.padEnd(7)} ${formatSpread(spreadOf(samples), importRuns)}`);
  console.log(`calls/s, users.get, limits off, ${concurrency} in flight, ${calls} calls a run:`);
  for (const [name, samples] of rates) {
    const spread = spreadOf(samples);
    console.log(`  ${name.padEnd(7)} ${Math.round(spread.median)} calls/s (min ${Math.round(spread.min)}, max ${Math.round(spread.max)}, ${callRuns} runs)`);
  }
  const median = (map: Map<string, number[]>, name: string) => spreadOf(map.get(name)!).median;
  const change = (after: number, before: number) => `${after >= before ? '+' : ''}${(((after - before) / before) * 100).toFixed(1)}%`;
  console.log();
  return [
    {
      bench: 'compare-ref',
      measured: 'import time, this tree',
      median: formatMs(median(importMs, 'after')),
      against: `${ref} ${formatMs(median(importMs, 'before'))}: ${change(median(importMs, 'after'), median(importMs, 'before'))}`,
    },
    {
      bench: 'compare-ref',
      measured: 'calls/s limits off, this tree',
      median: `${Math.round(median(rates, 'after'))} calls/s`,
      against: `${ref} ${Math.round(median(rates, 'before'))}: ${change(median(rates, 'after'), median(rates, 'before'))}`,
    },
  ];
}

runIfMain(import.meta.url, benchCompareRef);
