// Upload figures, each read next to a baseline measured in the same run:
// - throughput of `api.upload.document({ source: { path } })` (the two API calls
//   included) next to a raw undici multipart POST of the same file (undici's FormData
//   over a file-backed Blob, `fs.openAsBlob`) to the same fake host; target >= 0.9x;
// - the peak memory of a process streaming a 200 MB file, next to the same for a
//   20 MB one: flat means the same, not ten times more.
// The fake VK and upload host run in a process of their own (this file, `--serve`),
// and each memory figure in a fresh process (`--memory <path>`), so that nothing
// else is in the measured heap.
import { spawn, type ChildProcess } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Agent, FormData, request } from 'undici';
import { API } from '../src/index.js';
import { runIfMain } from './lib/main.js';
import { repoRoot } from './lib/processes.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { runsFromEnv, spreadOf } from './lib/stats.js';

const token = 'vk1.a.BENCH_UPLOADS_abcdefghijklmnopqrstuvwxyz0123456789';
const mib = 1024 * 1024;
const throughputBytes = 128 * mib;
const memorySizes = [20 * mib, 200 * mib];

interface Servers {
  apiBaseUrl: string;
  uploadUrl: string;
}

/** `--serve`: the fakes, until stdin closes; prints their URLs as one JSON line. */
async function serve(): Promise<void> {
  const { serveUploadMethods, startFakeVk, startUploadHost } = await import('../src/testing/index.js');
  const [vk, host] = await Promise.all([startFakeVk({ tokens: [token] }), startUploadHost({ keepBytes: 0 })]);
  serveUploadMethods(vk, host);
  // The fakes record every request for tests; a bench would only grow the lists.
  setInterval(() => {
    vk.requests.length = 0;
    host.requests.length = 0;
  }, 500).unref();
  console.log(JSON.stringify({ apiBaseUrl: vk.apiBaseUrl, uploadUrl: host.uploadUrl('doc') } satisfies Servers));
  process.stdin.on('end', () => void Promise.all([vk.close(), host.close()]).then(() => process.exit(0)));
  process.stdin.resume();
}

/** `--memory <path>`: one upload of the file; prints the peak growth of RSS, the JS heap
 * and Buffers' memory (`arrayBuffers`) over the process before it, in bytes. */
async function measureMemory(path: string): Promise<void> {
  const servers = JSON.parse(process.env['BENCH_SERVERS']!) as Servers;
  const api = new API({ accessToken: token, apiBaseUrl: servers.apiBaseUrl, rateLimit: false, timeout: 60_000 });
  // Warm up (module loading, the first connections) with a small file, then measure.
  await api.upload.document({ source: Buffer.alloc(1024, 1) });
  global.gc?.();
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  let peakBuffers = start.arrayBuffers;
  const sample = () => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
    peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
  };
  const sampler = setInterval(sample, 20);
  await api.upload.document({ source: { path } }, { onProgress: sample });
  clearInterval(sampler);
  await api.close();
  console.log(
    JSON.stringify({
      rss: peakRss - start.rss,
      heap: peakHeap - start.heapUsed,
      buffers: peakBuffers - start.arrayBuffers,
    }),
  );
}

async function startServers(): Promise<{ servers: Servers; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/uploads.ts', '--serve'], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once('line', done);
    child.once('exit', (code) => fail(new Error(`the fakes' process exited with ${code}`)));
  });
  return {
    servers: JSON.parse(line) as Servers,
    stop: async () => {
      const exited = new Promise((done) => child.once('exit', done));
      child.stdin!.end();
      await exited;
    },
  };
}

/** A file of `bytes` random-looking bytes, written in 1 MiB pieces. */
async function writeFileOf(path: string, bytes: number): Promise<void> {
  const file = await open(path, 'w');
  const piece = Buffer.alloc(mib);
  for (let i = 0; i < piece.length; i += 1) piece[i] = (i * 2654435761) >>> 24;
  for (let written = 0; written < bytes; written += piece.length)
    await file.write(piece, 0, Math.min(piece.length, bytes - written));
  await file.close();
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

interface MemoryGrowth {
  rss: number;
  heap: number;
  buffers: number;
}

function memoryRun(servers: Servers, path: string): Promise<MemoryGrowth> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/uploads.ts', '--memory', path], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_SERVERS: JSON.stringify(servers) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
        : reject(new Error(`memory run exited with ${code}`)),
    );
  });
}

const megabytes = (bytes: number) => `${(bytes / mib).toFixed(1)} MB`;

export async function benchUploads(): Promise<SummaryRow[]> {
  const runs = runsFromEnv(5);
  const dir = await mkdtemp(join(tmpdir(), 'uploads-12-bench-'));
  const { servers, stop } = await startServers();
  try {
    console.log(`== uploads: ${megabytes(throughputBytes)} file, ${runs} runs each, alternating`);
    const path = join(dir, 'throughput.bin');
    await writeFileOf(path, throughputBytes);
    const api = new API({ accessToken: token, apiBaseUrl: servers.apiBaseUrl, rateLimit: false, timeout: 60_000 });
    const agent = new Agent();
    const raw = async () => {
      const form = new FormData();
      form.append('file', await openAsBlob(path), 'throughput.bin');
      const { body } = await request(servers.uploadUrl, { method: 'POST', body: form, dispatcher: agent });
      await body.json();
    };
    const sdk = () => api.upload.document({ source: { path } });
    await raw();
    await sdk();
    const rawMs: number[] = [];
    const sdkMs: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      rawMs.push(await timed(raw));
      sdkMs.push(await timed(sdk));
    }
    await Promise.all([api.close(), agent.close()]);
    const rate = (ms: number) => throughputBytes / mib / (ms / 1000);
    const rawRate = rate(spreadOf(rawMs).median);
    const sdkRate = rate(spreadOf(sdkMs).median);
    const rates = (samples: number[]) => samples.map((ms) => rate(ms).toFixed(0)).join(', ');
    console.log(`raw undici multipart POST: ${rawRate.toFixed(0)} MB/s (runs: ${rates(rawMs)})`);
    console.log(
      `api.upload.document:       ${sdkRate.toFixed(0)} MB/s (runs: ${rates(sdkMs)}), ${(sdkRate / rawRate).toFixed(2)}x raw (target >= 0.90x)`,
    );

    const memory: (MemoryGrowth & { size: number })[] = [];
    for (const size of memorySizes) {
      const file = join(dir, `memory-${size}.bin`);
      await writeFileOf(file, size);
      memory.push({ size, ...(await memoryRun(servers, file)) });
      await rm(file);
    }
    for (const { size, rss, heap, buffers } of memory) {
      console.log(
        `peak memory streaming a ${megabytes(size)} file: RSS +${megabytes(rss)}, heap +${megabytes(heap)}, buffers +${megabytes(buffers)}`,
      );
    }
    console.log(machineLine());
    const [small, large] = memory;
    return [
      {
        bench: 'uploads',
        measured: `upload ${megabytes(throughputBytes)} ({ path })`,
        median: `${sdkRate.toFixed(0)} MB/s`,
        against: `raw undici ${rawRate.toFixed(0)} MB/s (${(sdkRate / rawRate).toFixed(2)}x, target 0.9x)`,
      },
      {
        bench: 'uploads',
        measured: `peak RSS, ${megabytes(large!.size)} file`,
        median: `+${megabytes(large!.rss)}`,
        against: `+${megabytes(small!.rss)} for ${megabytes(small!.size)}`,
      },
    ];
  } finally {
    await stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') await serve();
else if (process.argv[2] === '--memory') await measureMemory(process.argv[3]!);
else runIfMain(import.meta.url, benchUploads);
