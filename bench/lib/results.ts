// bench/RESULTS.md: the summary table of one `npm run bench`, with the machine it ran
// on and the command, so that a figure is never read without them.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { resolve } from 'node:path';
import { repoRoot } from './processes.js';
import type { SummaryRow } from './report.js';

export interface BenchFailure {
  readonly bench: string;
  readonly message: string;
}

export interface BenchRun {
  readonly rows: readonly SummaryRow[];
  readonly failures: readonly BenchFailure[];
  readonly startedAt: Date;
  /** Load averages (1, 5, 15 min) when the run started. */
  readonly loadAtStart: readonly number[];
  readonly minutes: number;
}

/** How the bench was started, as a reader would type it again. */
function command(): string {
  const runs = process.env['BENCH_RUNS'] ? `BENCH_RUNS=${process.env['BENCH_RUNS']} ` : '';
  return process.env['npm_lifecycle_event'] === 'bench' ? `${runs}npm run bench` : `${runs}npx tsx bench/run.ts`;
}

function machine(): string {
  const [cpu] = cpus();
  return (
    `${cpu?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
    `${type()} ${release()}; Node ${process.version}`
  );
}

const cell = (text: string) => text.replaceAll('|', '\\|');
const loads = (values: readonly number[]) => values.map((value) => value.toFixed(2)).join(' ');

export function writeResults(run: BenchRun): string {
  const path = resolve(repoRoot, 'bench/RESULTS.md');
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts); run it again rather than edit this file. Each figure is a median',
    'next to a baseline measured in the same run; how each is taken is said at the top of its bench file',
    '(bench/compare-generators.ts, compare-consumers.ts, compare-install.ts, runtime.ts, compare-ref.ts).',
    '',
    `- Command: \`${command()}\``,
    `- Run: ${run.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${run.minutes.toFixed(1)} min`,
    `- Machine: ${machine()}`,
    `- Load average (1/5/15 min): ${loads(run.loadAtStart)} at the start, ${loads(loadavg())} at the end ` +
      '(a load above the core count means other work shared the machine: read the figures as pessimistic)',
    '',
    '| bench | measured | median | against |',
    '|---|---|---|---|',
    ...run.rows.map((row) => `| ${cell(row.bench)} | ${cell(row.measured)} | ${cell(row.median)} | ${cell(row.against)} |`),
  ];
  if (run.failures.length > 0) {
    lines.push('', '## Benches that failed', '');
    for (const failure of run.failures) lines.push(`- ${failure.bench}: ${failure.message.split('\n').slice(0, 6).join(' / ')}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
