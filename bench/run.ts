// `npm run bench`: every bench in sequence (the machine has 2 cores, so never in
// parallel), then one summary table, also written to bench/RESULTS.md with the
// machine and the command. Figures only: no timing is asserted. A bench that fails
// (a build that does not pass, a tool not installed) is reported and the rest run.
// bench/generate.ts and bench/typecheck.ts still run alone; compare-generators.ts and
// compare-consumers.ts measure the same and more (the official generator, packed
// packages, TypeScript 7, an SDK-free baseline).
import { loadavg } from 'node:os';
import { benchCompareRef } from './compare-ref.js';
import { benchConsumers } from './compare-consumers.js';
import { benchEvents } from './events.js';
import { benchGenerators } from './compare-generators.js';
import { benchInstall } from './compare-install.js';
import { benchLimiter } from './limiter.js';
import { printSummary, type SummaryRow } from './lib/report.js';
import { writeResults, type BenchFailure } from './lib/results.js';
import { benchRuntime } from './runtime.js';
import { benchUploads } from './uploads.js';

// compare-ref builds an earlier commit with today's node_modules, which the commits
// before the move off tough-cookie no longer build with: it runs when asked for.
const benches = [benchGenerators, benchConsumers, benchInstall, benchRuntime, benchEvents, benchUploads, benchLimiter];
if (process.env['BENCH_BASELINE_REF']) benches.push(benchCompareRef);

const startedAt = new Date();
const loadAtStart = loadavg();
const rows: SummaryRow[] = [];
const failures: BenchFailure[] = [];
for (const bench of benches) {
  try {
    rows.push(...(await bench()));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`\n${bench.name} failed: ${message}`);
    failures.push({ bench: bench.name, message });
  }
  console.log();
}
console.log('== summary\n');
printSummary(rows);
const minutes = (Date.now() - startedAt.getTime()) / 60_000;
console.log(`\nwritten to ${writeResults({ rows, failures, startedAt, loadAtStart, minutes })}`);
if (failures.length > 0) process.exitCode = 1;
