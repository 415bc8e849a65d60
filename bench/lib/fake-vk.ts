// The fake VK server in a process of its own (fake-vk-process.ts), for the benches
// that measure a client: the client then has its event loop to itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { repoRoot } from './processes.js';

export interface FakeProcess {
  apiBaseUrl: string;
  stats(): Promise<{ accepted: number; refused: number; busiest: number }>;
  stop(): Promise<void>;
}

export async function startFake(rateLimit = 0): Promise<FakeProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/fake-vk-process.ts'], {
    cwd: repoRoot,
    env: { ...process.env, FAKE_VK_RATE_LIMIT: String(rateLimit) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((done, fail) => {
    lines.once('line', done);
    child.once('exit', (code) => fail(new Error(`the fake VK process exited with ${code}`)));
  });
  return {
    apiBaseUrl: `${url}/method`,
    async stats() {
      const { body } = await request(`${url}/bench/stats`);
      return (await body.json()) as { accepted: number; refused: number; busiest: number };
    },
    async stop() {
      const exited = new Promise((done) => child.once('exit', done));
      child.stdin!.end();
      await exited;
    },
  };
}

