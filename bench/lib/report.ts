// The summary rows each bench returns, and the table bench/run.ts prints from them.
import { availableParallelism, loadavg } from 'node:os';

export interface SummaryRow {
  bench: string;
  measured: string;
  median: string;
  /** The same-run baseline or the target this figure is read against. */
  against: string;
}

export function printSummary(rows: readonly SummaryRow[]): void {
  const header: SummaryRow = { bench: 'bench', measured: 'measured', median: 'median', against: 'against' };
  const columns = ['bench', 'measured', 'median', 'against'] as const;
  const widths = columns.map((column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const line = (row: SummaryRow) =>
    columns
      .map((column, i) => row[column].padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(`\n${machineLine()}`);
}

/** Other work on the machine inflates every figure; print the load so the reader can tell. */
export function machineLine(): string {
  const load = loadavg().map((value) => value.toFixed(2));
  return `${availableParallelism()} cores, load average ${load.join(' ')} (1/5/15 min), node ${process.version}`;
}
