// How long a consumer's `tsc --noEmit --skipLibCheck` (strict, NodeNext) takes on a file
// making the same 10 calls, with our SDK (built dist/) and with vk-io 4.10 as the
// same-run baseline. Target: ours no slower than vk-io.
import { runIfMain } from './lib/main.js';
import { writeConsumer, type Sdk } from './lib/consumers.js';
import { expectSuccess, repoRoot, timeNode, tscCli, type TimedRun } from './lib/processes.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { formatMs, formatSpread, runsFromEnv, spreadOf } from './lib/stats.js';

// The --extendedDiagnostics lines worth reading side by side.
const diagnosticsShown = [
  'Files',
  'Lines of Definitions',
  'Identifiers',
  'Symbols',
  'Types',
  'Instantiations',
  'Memory used',
  'Parse time',
  'Bind time',
  'Check time',
  'Total time',
];

/** Polls `npx tsc -p tsconfig.build.json` in `root` until it succeeds: src/ may be mid-edit by someone else. */
export async function buildDist(root = repoRoot): Promise<void> {
  const pollMs = 60_000;
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const build = timeNode([tscCli, '-p', 'tsconfig.build.json'], root);
    if (build.status === 0) {
      console.log(`built ${root === repoRoot ? '' : `${root}/`}dist/ in ${formatMs(build.ms)}`);
      return;
    }
    if (Date.now() + pollMs > deadline) expectSuccess(build, 'tsc -p tsconfig.build.json (gave up after 30 min)');
    console.log(
      `dist/ build failed (src/ in progress?), retrying in 60 s:\n${build.stdout.split('\n').slice(0, 5).join('\n')}`,
    );
    await new Promise((done) => setTimeout(done, pollMs));
  }
}

/** A consumer must compile cleanly: timing a file full of errors means nothing. */
function typecheck(consumerDir: string, sdk: Sdk, extraArgs: readonly string[] = []): TimedRun {
  const run = timeNode([tscCli, '-p', consumerDir, '--noEmit', '--skipLibCheck', ...extraArgs], consumerDir);
  return expectSuccess(run, `the ${sdk} consumer (${consumerDir}/index.ts) does not type-check; tsc`);
}

function parseDiagnostics(output: string): Map<string, string> {
  const figures = new Map<string, string>();
  for (const match of output.matchAll(/^([A-Za-z /]+):\s+(\S+)$/gm)) figures.set(match[1]!.trim(), match[2]!);
  return figures;
}

interface SdkFigures {
  sdk: Sdk;
  consumerDir: string;
  diagnostics: Map<string, string>;
  samples: number[];
}

function prepare(sdk: Sdk): SdkFigures {
  const consumerDir = writeConsumer(sdk);
  // This run doubles as the warm-up and the zero-errors check.
  const diagnostics = parseDiagnostics(typecheck(consumerDir, sdk, ['--extendedDiagnostics']).stdout);
  return { sdk, consumerDir, diagnostics, samples: [] };
}

function printDiagnostics(all: readonly SdkFigures[]): void {
  console.log(`\n--extendedDiagnostics (one run each):`);
  console.log(`  ${''.padEnd(22)}${all.map((f) => f.sdk.padStart(12)).join('')}`);
  for (const name of diagnosticsShown) {
    console.log(`  ${name.padEnd(22)}${all.map((f) => (f.diagnostics.get(name) ?? '-').padStart(12)).join('')}`);
  }
}

export async function benchTypecheck(): Promise<SummaryRow[]> {
  const runs = runsFromEnv(5);
  console.log('== typecheck: a consumer making 10 calls, tsc --noEmit --skipLibCheck (strict, NodeNext)');
  console.log(`${machineLine()}\n`);
  await buildDist();
  const ours = prepare('vk-typed');
  const vkIo = prepare('vk-io');
  // Interleaved, so load from other work on the machine hits both SDKs alike.
  for (let run = 0; run < runs; run++) {
    for (const figures of [ours, vkIo]) figures.samples.push(typecheck(figures.consumerDir, figures.sdk).ms);
  }
  const oursWall = spreadOf(ours.samples);
  const vkIoWall = spreadOf(vkIo.samples);
  console.log(`vk-typed tsc wall: ${formatSpread(oursWall, runs)}`);
  console.log(`vk-io    tsc wall: ${formatSpread(vkIoWall, runs)}`);
  printDiagnostics([ours, vkIo]);
  const ratio = oursWall.median / vkIoWall.median;
  const verdict = ratio <= 1 ? 'meets' : 'misses';
  // The fastest runs are the least disturbed by other load, so their ratio is a second opinion.
  const minRatio = oursWall.min / vkIoWall.min;
  console.log(
    `\nTarget: ours no slower than vk-io: ${verdict} ` +
      `(${ratio.toFixed(2)}x vk-io's median; fastest runs ${minRatio.toFixed(2)}x).`,
  );
  return [
    {
      bench: 'typecheck',
      measured: 'vk-io 4.10.1 consumer (baseline)',
      median: formatMs(vkIoWall.median),
      against: '',
    },
    {
      bench: 'typecheck',
      measured: 'vk-typed consumer',
      median: formatMs(oursWall.median),
      against: `${ratio.toFixed(2)}x vk-io; target <= 1.00x: ${verdict}`,
    },
  ];
}

runIfMain(import.meta.url, benchTypecheck);
