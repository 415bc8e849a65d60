// What each SDK costs the consumer's compiler and editor, with the packages as users
// install them (bench/lib/packed.ts):
// - type-check time (`tsc -p <project> --noEmit --skipLibCheck`, strict, NodeNext) of a
//   file making the same 10 calls (bench/lib/consumers.ts), under TypeScript 5.9 and
//   TypeScript 7, next to an SDK-free baseline: the same calls on an untyped client, so
//   "added" is the SDK's own cost; runs interleaved; beside the times, the checker's
//   own counts (`--extendedDiagnostics`: files, identifiers, symbols, types,
//   instantiations), which the machine's load does not change; and, with
//   $BENCH_INSTRUCTIONS, the instructions TypeScript 5.9 executes (bench/lib/instructions.ts),
//   which hardly change with it either;
// - completion latency at `api.users.` in the language service of each (TypeScript 7's
//   through its API), cold and after each edit of the file (bench/lib/completion-latency.ts),
//   a fresh process per run.
// Target (issue 15): vk-typed adds no more than vk-io 4.10 to either.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { writeConsumer } from './lib/consumers.js';
import { runIfMain } from './lib/main.js';
import { packedPackages, vkIoVersion } from './lib/packed.js';
import { expectSuccess, repoRoot, timeNode, tscCli, tsxCli } from './lib/processes.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { countInstructions, hasValgrind, instructionRunsFromEnv } from './lib/instructions.js';
import { formatMs, formatSpread, runsFromEnv, spreadOf } from './lib/stats.js';

const completionEdits = 20;
// The setup line bench/lib/consumers.ts writes before the 10 calls of the vk-typed consumer.
const vkTypedSetup = "import { API } from 'vk-typed';\n\nconst api = new API({ accessToken: 't' });\n";

interface Consumer {
  readonly name: string;
  readonly dir: string;
}

interface Compiler {
  readonly label: string;
  readonly tsc: string;
  /** Which language service bench/lib/completion-latency.ts drives. */
  readonly engine: 'ts5' | 'ts7';
}

/** TypeScript 5.9 (the repo's) and 7 (the `vk-typed-ts7` devDependency), when installed. */
function compilers(): { found: Compiler[]; missing: string[] } {
  const require = createRequire(import.meta.url);
  const versionOf = (manifest: string) => (require(manifest) as { version: string }).version;
  const found: Compiler[] = [{ label: `TS ${versionOf('typescript/package.json')}`, tsc: tscCli, engine: 'ts5' }];
  const missing: string[] = [];
  try {
    const ts7Require = createRequire(require.resolve('vk-typed-ts7/package.json'));
    const manifest = ts7Require.resolve('typescript/package.json');
    const { bin } = ts7Require(manifest) as { bin: Record<string, string> };
    found.push({ label: `TS ${versionOf(manifest)}`, tsc: resolve(dirname(manifest), bin['tsc']!), engine: 'ts7' });
  } catch {
    missing.push('TypeScript 7: the devDependency vk-typed-ts7 (scripts/ts7) is not installed; run npm install');
  }
  return { found, missing };
}

/** The three projects: the packed installs with the consumer file beside them, and the SDK-free baseline. */
function consumers(): Consumer[] {
  // bench/lib/consumers.ts writes the same 10 calls for both SDKs (and installs vk-io
  // into bench/.work/vk-io/, where bench/runtime.ts finds it).
  const vkTypedFile = readFileSync(join(writeConsumer('vk-typed'), 'index.ts'), 'utf8');
  const vkIoDir = writeConsumer('vk-io');
  if (!vkTypedFile.startsWith(vkTypedSetup)) throw new Error('bench/lib/consumers.ts changed its setup lines: update compare-consumers.ts');
  const calls = vkTypedFile.slice(vkTypedSetup.length);
  const tsconfig = readFileSync(join(vkIoDir, 'tsconfig.json'), 'utf8');
  const { vkTyped, vkIo } = packedPackages();
  const baselineDir = resolve(repoRoot, 'bench/.work/consumer-baseline');
  rmSync(baselineDir, { recursive: true, force: true });
  mkdirSync(baselineDir, { recursive: true });
  writeFileSync(join(baselineDir, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
  const sources: [string, string][] = [
    [baselineDir, `// No SDK: the same calls on an untyped client.\nexport {};\ndeclare const api: any;\n${calls}`],
    [vkTyped.projectDir, vkTypedFile],
    [vkIo.projectDir, readFileSync(join(vkIoDir, 'index.ts'), 'utf8')],
  ];
  for (const [dir, source] of sources) {
    writeFileSync(join(dir, 'tsconfig.json'), tsconfig);
    writeFileSync(join(dir, 'index.ts'), source);
  }
  return [
    { name: 'baseline (no SDK)', dir: baselineDir },
    { name: `vk-typed ${vkTyped.version}`, dir: vkTyped.projectDir },
    { name: `vk-io ${vkIo.version}`, dir: vkIo.projectDir },
  ];
}

function typecheck(compiler: Compiler, consumer: Consumer): number {
  const run = timeNode([compiler.tsc, '-p', consumer.dir, '--noEmit', '--skipLibCheck'], consumer.dir);
  return expectSuccess(run, `${compiler.label} on the ${consumer.name} consumer (${consumer.dir}/index.ts)`).ms;
}

/** What the checker did (`--extendedDiagnostics`): counts that, unlike times, no load on the machine changes. */
const counted = ['Files', 'Identifiers', 'Symbols', 'Types', 'Instantiations'] as const;

function checkerCounts(compiler: Compiler, consumer: Consumer): string {
  const run = timeNode([compiler.tsc, '-p', consumer.dir, '--noEmit', '--skipLibCheck', '--extendedDiagnostics'], consumer.dir);
  const { stdout } = expectSuccess(run, `${compiler.label} --extendedDiagnostics on the ${consumer.name} consumer`);
  return counted
    .map((name) => `${name.toLowerCase()} ${stdout.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))?.[1] ?? '?'}`)
    .join(', ');
}

function benchTypecheckTimes(compiler: Compiler, all: readonly Consumer[], runs: number): SummaryRow[] {
  // The first run of each warms the disk cache and proves the file compiles with zero errors.
  for (const consumer of all) typecheck(compiler, consumer);
  const counts = all.map((consumer) => checkerCounts(compiler, consumer));
  const samples = all.map(() => [] as number[]);
  for (let run = 0; run < runs; run += 1) all.forEach((consumer, i) => samples[i]!.push(typecheck(compiler, consumer)));
  const spreads = samples.map(spreadOf);
  console.log(`${compiler.label}, tsc --noEmit --skipLibCheck:`);
  all.forEach((consumer, i) => console.log(`  ${consumer.name.padEnd(20)} ${formatSpread(spreads[i]!, runs)}; ${counts[i]}`));
  const [baseline, ours, vkIo] = spreads.map((spread) => spread.median) as [number, number, number];
  const [addedOurs, addedVkIo] = [ours - baseline, vkIo - baseline];
  const verdict = addedOurs <= addedVkIo ? 'meets' : 'misses';
  console.log(`  added over the baseline: vk-typed +${formatMs(addedOurs)}, vk-io +${formatMs(addedVkIo)} (target: vk-typed's at most vk-io's: ${verdict})\n`);
  return [
    { bench: 'consumers', measured: `type-check, ${compiler.label}: baseline (no SDK)`, median: formatMs(baseline), against: counts[0]! },
    {
      bench: 'consumers',
      measured: `type-check, ${compiler.label}: vk-io ${vkIoVersion}`,
      median: formatMs(vkIo),
      against: `+${formatMs(addedVkIo)} over the baseline; ${counts[2]}`,
    },
    {
      bench: 'consumers',
      measured: `type-check, ${compiler.label}: vk-typed`,
      median: formatMs(ours),
      against: `+${formatMs(addedOurs)} over the baseline; target <= vk-io's +${formatMs(addedVkIo)}: ${verdict}; ${counts[1]}`,
    },
  ];
}

/**
 * The same type-checks counted in instructions (TypeScript 5.9, which runs in node;
 * bench/lib/instructions.ts), when $BENCH_INSTRUCTIONS asks for them: runs interleaved,
 * the median of each, and what each SDK adds over the baseline.
 */
function benchTypecheckInstructions(compiler: Compiler, all: readonly Consumer[], runs: number): SummaryRow[] {
  const samples = all.map(() => [] as number[]);
  for (let run = 0; run < runs; run += 1) {
    all.forEach((consumer, i) => samples[i]!.push(countInstructions([compiler.tsc, '-p', consumer.dir, '--noEmit', '--skipLibCheck'], consumer.dir)));
  }
  const medians = samples.map((each) => spreadOf(each).median);
  const [baseline, ours, vkIo] = medians as [number, number, number];
  const [addedOurs, addedVkIo] = [ours - baseline, vkIo - baseline];
  const verdict = addedOurs <= addedVkIo ? 'meets' : 'misses';
  const figure = (billions: number) => `${billions.toFixed(3)} G`;
  console.log(`${compiler.label}, tsc --noEmit --skipLibCheck, instructions (valgrind, node --single-threaded, ${runs} runs each):`);
  all.forEach((consumer, i) => console.log(`  ${consumer.name.padEnd(20)} ${figure(medians[i]!)} (${samples[i]!.map(figure).join(', ')})`));
  console.log(`  added over the baseline: vk-typed +${figure(addedOurs)}, vk-io +${figure(addedVkIo)} (target: vk-typed's at most vk-io's: ${verdict})\n`);
  return [
    { bench: 'consumers', measured: `type-check instructions, ${compiler.label}: vk-io ${vkIoVersion}`, median: figure(vkIo), against: `+${figure(addedVkIo)} over the baseline's ${figure(baseline)}` },
    {
      bench: 'consumers',
      measured: `type-check instructions, ${compiler.label}: vk-typed`,
      median: figure(ours),
      against: `+${figure(addedOurs)} over the baseline; target <= vk-io's +${figure(addedVkIo)}: ${verdict}`,
    },
  ];
}

/** Milliseconds with a decimal below 10 ms, where TypeScript 7's completions fall. */
function formatLatency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : formatMs(ms);
}

interface Completion {
  coldMs: number;
  warmMs: number[];
  entries: number;
}

function benchCompletion(compiler: Compiler, sdks: readonly Consumer[], runs: number): SummaryRow[] {
  const figures = sdks.map(() => ({ cold: [] as number[], warm: [] as number[], entries: 0 }));
  for (let run = 0; run < runs; run += 1) {
    sdks.forEach((consumer, i) => {
      const child = expectSuccess(
        timeNode([tsxCli, resolve(repoRoot, 'bench/lib/completion-latency.ts'), compiler.engine, consumer.dir, String(completionEdits)]),
        `completion latency, ${compiler.label} (${consumer.name})`,
      );
      const result = JSON.parse(child.stdout) as Completion;
      figures[i]!.cold.push(result.coldMs);
      figures[i]!.warm.push(...result.warmMs);
      figures[i]!.entries = result.entries;
    });
  }
  console.log(`completion at \`api.users.\`, ${compiler.label} (${runs} processes each, ${completionEdits} edits per process):`);
  const rows = sdks.map((consumer, i) => {
    const warm = spreadOf(figures[i]!.warm);
    const cold = spreadOf(figures[i]!.cold);
    console.log(
      `  ${consumer.name.padEnd(20)} after an edit ${formatLatency(warm.median)} ` +
        `(min ${formatLatency(warm.min)}, max ${formatLatency(warm.max)}, ${figures[i]!.warm.length} runs); ` +
        `cold ${formatMs(cold.median)}; ${figures[i]!.entries} entries`,
    );
    return { warm: warm.median, cold: cold.median };
  });
  const [ours, vkIo] = rows as [{ warm: number; cold: number }, { warm: number; cold: number }];
  const verdict = ours.warm <= vkIo.warm ? 'meets' : 'misses';
  console.log(`  target: vk-typed's at most vk-io's: ${verdict}\n`);
  return [
    {
      bench: 'consumers',
      measured: `completion at api.users., ${compiler.label}: vk-io ${vkIoVersion}`,
      median: formatLatency(vkIo.warm),
      against: `cold ${formatMs(vkIo.cold)}`,
    },
    {
      bench: 'consumers',
      measured: `completion at api.users., ${compiler.label}: vk-typed`,
      median: formatLatency(ours.warm),
      against: `cold ${formatMs(ours.cold)}; target <= vk-io's: ${verdict}`,
    },
  ];
}

export async function benchConsumers(): Promise<SummaryRow[]> {
  console.log(`== consumers: packed packages in fresh projects, a 10-call file, strict NodeNext\n${machineLine()}\n`);
  const all = consumers();
  const { found, missing } = compilers();
  const rows = found.flatMap((compiler) => benchTypecheckTimes(compiler, all, runsFromEnv(5)));
  const instructionRuns = instructionRunsFromEnv();
  if (instructionRuns === 0) console.log('instructions: skipped (BENCH_INSTRUCTIONS=3 counts them with valgrind: about 75 s per type-check, 10 min for 3 runs)\n');
  else if (!hasValgrind()) console.log('MISSING valgrind (apt-get install valgrind): instructions not counted\n');
  else rows.push(...benchTypecheckInstructions(found[0]!, all, instructionRuns));
  for (const what of missing) {
    console.log(`MISSING ${what}\n`);
    rows.push({ bench: 'consumers', measured: 'type-check, TypeScript 7', median: 'missing', against: what });
  }
  for (const compiler of found) rows.push(...benchCompletion(compiler, all.slice(1), runsFromEnv(3)));
  return rows;
}

runIfMain(import.meta.url, benchConsumers);
