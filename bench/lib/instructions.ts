// Instructions a child `node` process executes, counted by valgrind's callgrind: unlike
// its time, the count hardly moves with the machine's load (a few tenths of a percent
// between runs, with V8's helper threads off), so a difference of a few percent between
// two packages is a real one even on a busy machine. About 60 times slower than the
// process itself, so opt-in: $BENCH_INSTRUCTIONS runs per measurement.
import { spawnSync } from 'node:child_process';
import { repoRoot } from './processes.js';

/** Runs per measurement from $BENCH_INSTRUCTIONS, or 0 when unset (the count is skipped). */
export function instructionRunsFromEnv(): number {
  const runs = Number(process.env.BENCH_INSTRUCTIONS);
  return Number.isInteger(runs) && runs > 0 ? runs : 0;
}

/** Whether valgrind is installed (Debian's package `valgrind`). */
export function hasValgrind(): boolean {
  return spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Instructions `node <args>` executes, in billions; throws when the child fails. */
export function countInstructions(args: readonly string[], cwd = repoRoot): number {
  const result = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      // V8 writes the code it compiles into memory it then runs.
      '--smc-check=all-non-file',
      process.execPath,
      // No concurrent compiler or GC threads: their share of the work varies run to run.
      '--single-threaded',
      ...args,
    ],
    { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const collected = /Collected : (\d+)/.exec(result.stderr)?.[1];
  if (result.status !== 0 || collected === undefined) {
    throw new Error(`valgrind node ${args.join(' ')} exited with ${result.status}:\n${result.stdout}${result.stderr.slice(-2000)}`);
  }
  return Number(collected) / 1e9;
}
