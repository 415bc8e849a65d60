// Run counts and the median/min/max figures every bench prints.

/** Runs per measurement: $BENCH_RUNS if set, else the bench's own default. */
export function runsFromEnv(defaultRuns: number): number {
  const fromEnv = Number(process.env.BENCH_RUNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spreadOf(samples: readonly number[]): Spread {
  if (samples.length === 0) throw new Error('spreadOf: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** "1.23 s (min 1.20 s, max 1.31 s, 5 runs)" */
export function formatSpread(spread: Spread, runs: number): string {
  return `${formatMs(spread.median)} (min ${formatMs(spread.min)}, max ${formatMs(spread.max)}, ${runs} runs)`;
}
