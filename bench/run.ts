// `npm run bench`: every bench in sequence (the machine has 2 cores, so never in
// parallel), then one summary table. Figures only: no timing is asserted.
import { benchCompareRef } from './compare-ref.js';
import { benchGenerate } from './generate.js';
import { printSummary, type SummaryRow } from './lib/report.js';
import { benchRuntime } from './runtime.js';
import { benchTypecheck } from './typecheck.js';

const benches = [benchGenerate, benchTypecheck, benchRuntime, benchCompareRef];

const rows: SummaryRow[] = [];
for (const bench of benches) {
  rows.push(...(await bench()));
  console.log();
}
console.log('== summary\n');
printSummary(rows);
