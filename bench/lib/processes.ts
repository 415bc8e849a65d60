// Timed child processes: every figure includes process start-up, as a user sees it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const require = createRequire(import.meta.url);

/** The file a package's `bin` entry names, resolved from the repo's node_modules. */
function binOf(packageName: string, binName: string): string {
  const manifestPath = require.resolve(`${packageName}/package.json`);
  const { bin } = require(manifestPath) as { bin: string | Record<string, string> };
  const relative = typeof bin === 'string' ? bin : bin[binName];
  if (relative === undefined) throw new Error(`${packageName} has no bin ${binName}`);
  return resolve(dirname(manifestPath), relative);
}

export const tsxCli = binOf('tsx', 'tsx');
export const tscCli = binOf('typescript', 'tsc');

export interface TimedRun {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` (the node running the bench) to completion and times it. */
export function timeNode(args: readonly string[], cwd = repoRoot): TimedRun {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.error) throw result.error;
  return { ms, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Throws with the child's output when it did not exit 0. */
export function expectSuccess(run: TimedRun, what: string): TimedRun {
  if (run.status !== 0) {
    throw new Error(`${what} exited with ${run.status}:\n${run.stdout}${run.stderr}`);
  }
  return run;
}
