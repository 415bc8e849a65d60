// Formats generated sources with prettier, using the repo's .prettierrc.json so
// generated and hand-written code look alike. Prettier is single-threaded and
// is most of the generator's time, so the files are split across one worker
// per core, balanced by size.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { resolveConfig } from 'prettier';

function partition(files: Map<string, string>, parts: number): [string, string][][] {
  const buckets = Array.from({ length: parts }, () => ({ size: 0, files: [] as [string, string][] }));
  for (const entry of [...files].sort((a, b) => b[1].length - a[1].length)) {
    const lightest = buckets.reduce((a, b) => (b.size < a.size ? b : a));
    lightest.files.push(entry);
    lightest.size += entry[1].length;
  }
  return buckets.map((b) => b.files).filter((b) => b.length > 0);
}

// Workers do not inherit tsx's loader on Node 20, so the entry registers it
// before importing the (TypeScript) worker module.
const workerEntry = new URL(
  `data:text/javascript,${encodeURIComponent(
    `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};\n` +
      `register();\n` +
      `await import(${JSON.stringify(new URL('./format-worker.ts', import.meta.url).href)});`,
  )}`,
);

function formatInWorker(files: [string, string][], options: object): Promise<[string, string][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerEntry, { workerData: { files, options } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

export async function formatSources(files: Map<string, string>, configFile: string): Promise<Map<string, string>> {
  const options = (await resolveConfig(configFile, { config: configFile })) ?? {};
  const parts = partition(files, Math.max(1, Math.min(availableParallelism(), 4)));
  const results = await Promise.all(parts.map((part) => formatInWorker(part, options)));
  return new Map([...files.keys()].map((path) => [path, new Map(results.flat()).get(path)!]));
}
