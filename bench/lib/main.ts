// Lets each bench run alone (`tsx bench/<name>.ts`) as well as from bench/run.ts.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSummary, type SummaryRow } from './report.js';

/** Runs `bench` when `moduleUrl` is the script node was started with. */
export function runIfMain(moduleUrl: string, bench: () => Promise<SummaryRow[]>): void {
  const script = process.argv[1];
  if (script === undefined || fileURLToPath(moduleUrl) !== resolve(script)) return;
  bench().then(
    (rows) => {
      console.log();
      printSummary(rows);
    },
    (error: Error) => {
      console.error(`\nbench failed: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
