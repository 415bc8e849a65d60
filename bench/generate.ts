// Full generation time of our generator on the pinned schema, run as a user runs it
// (`tsx codegen/cli.ts --check`, a fresh process each run), against two baselines
// measured in the same run: bare tsx start-up, and json-schema-to-typescript
// compiling one section only. Target: full generation under 3 s on this machine.
import { resolve } from 'node:path';
import { runIfMain } from './lib/main.js';
import { expectSuccess, repoRoot, timeNode, tsxCli, type TimedRun } from './lib/processes.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { schemaDir } from './lib/schema-dir.js';
import { formatMs, formatSpread, runsFromEnv, spreadOf } from './lib/stats.js';

const targetMs = 3000;
const jsttSection = 'users';

/** Runs `measure` `runs` times in sequence and prints its spread under `label`. */
function repeat(label: string, runs: number, measure: () => TimedRun): TimedRun[] {
  const results = Array.from({ length: runs }, measure);
  console.log(`${label}: ${formatSpread(spreadOf(results.map((r) => r.ms)), runs)}`);
  return results;
}

/** The median of one figure the child printed, e.g. "emit 119 ms". */
function medianPrinted(results: readonly TimedRun[], pattern: RegExp): number | undefined {
  const values = results.flatMap((r) => {
    const match = pattern.exec(r.stdout);
    return match ? [Number(match[1])] : [];
  });
  return values.length === results.length ? spreadOf(values).median : undefined;
}

export async function benchGenerate(): Promise<SummaryRow[]> {
  const schema = schemaDir();
  const fastRuns = runsFromEnv(5);
  const slowRuns = runsFromEnv(3);
  console.log(`== generate: schema ${schema}\n${machineLine()}\n`);

  const startup = repeat("tsx start-up (tsx -e '')", fastRuns, () =>
    expectSuccess(timeNode([tsxCli, '-e', '']), 'tsx -e'),
  );

  const sectionFile = resolve(schema, jsttSection, 'objects.json');
  const jstt = repeat(`json-schema-to-typescript, one section only (${jsttSection}/objects.json), wall`, fastRuns, () =>
    expectSuccess(timeNode([tsxCli, resolve(repoRoot, 'bench/jstt-one-section.ts'), sectionFile]), 'jstt'),
  );
  const jsttReports = jstt.map((r) => JSON.parse(r.stdout) as { compileMs: number; declarations: number });
  const jsttCompile = spreadOf(jsttReports.map((report) => report.compileMs));
  console.log(
    `  of which compileFromFile: ${formatMs(jsttCompile.median)}, ${jsttReports[0]!.declarations} declarations`,
  );

  // --check exits 1 when generated/ is stale; the run still did the full generation.
  const ours = repeat('vk-typed full generation (codegen/cli.ts --check), wall', slowRuns, () => {
    const run = timeNode([tsxCli, 'codegen/cli.ts', '--schema', schema, '--check']);
    return run.status === 0 || run.status === 1 ? run : expectSuccess(run, 'codegen/cli.ts --check');
  });
  const emitMs = medianPrinted(ours, /emit (\d+) ms/);
  const formatPrintedMs = medianPrinted(ours, /format (\d+) ms/);
  const oursMedian = spreadOf(ours.map((r) => r.ms)).median;
  const startupMedian = spreadOf(startup.map((r) => r.ms)).median;
  if (emitMs !== undefined && formatPrintedMs !== undefined) {
    console.log(`  of which emit ${formatMs(emitMs)}, format ${formatMs(formatPrintedMs)} (medians the CLI printed)`);
    console.log(`  output: ${/\(([^;]*);/.exec(ours[0]!.stdout)?.[1]}`);
  } else {
    console.log('  (generated/ is stale, so the CLI printed no emit/format split; it said:)');
    console.log(`  ${ours[0]!.stderr.split('\n')[0]}`);
  }
  const verdict = oursMedian < targetMs ? 'meets' : 'misses';
  console.log(`\nTarget: full generation under ${formatMs(targetMs)}: ${verdict} (${formatMs(oursMedian)}).`);

  return [
    { bench: 'generate', measured: 'tsx start-up (baseline)', median: formatMs(startupMedian), against: '' },
    {
      bench: 'generate',
      measured: `json-schema-to-typescript, one section only (${jsttSection})`,
      median: formatMs(spreadOf(jstt.map((r) => r.ms)).median),
      against: `compile ${formatMs(jsttCompile.median)}; not a full-run comparison`,
    },
    {
      bench: 'generate',
      measured: 'vk-typed full generation, all sections',
      median: formatMs(oursMedian),
      against: `target < ${formatMs(targetMs)}: ${verdict}`,
    },
  ];
}

runIfMain(import.meta.url, benchGenerate);
