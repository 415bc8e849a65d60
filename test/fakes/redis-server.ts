// A real redis-server for the tests of the Redis rate limit store, on a free loopback
// port, without persistence; stopped (or paused, to play a slow Redis) by the test.
// `.ci/run` installs redis-server from Debian's packages; without it the tests fail
// with a message saying so, never skip.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** SIGSTOP: the connection stays open and nothing answers, as a Redis stuck in a long command. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
}

/** $REDIS_SERVER, else `redis-server` on the PATH. */
export const redisServerBinary = process.env['REDIS_SERVER'] ?? 'redis-server';

export function checkRedisServerInstalled(): void {
  const probe = spawnSync(redisServerBinary, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `redis-server is not installed (${redisServerBinary}: ${probe.error?.message ?? `exit ${probe.status}`}); ` +
        'the Redis rate limit tests need it: apt-get install redis-server (.ci/run does), or set $REDIS_SERVER',
    );
  }
}

export async function startRedisServer(): Promise<RedisServer> {
  checkRedisServerInstalled();
  const port = await freePort();
  let child = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stopChild(child);
    },
    async restart() {
      await stopChild(child);
      child = await launch(port);
    },
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
  };
}

async function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    redisServerBinary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${output.join('\n')}`));
    child.once('exit', onExit);
    child.once('error', reject);
    lines.on('line', (line) => {
      output.push(line);
      if (line.includes('Ready to accept connections')) {
        child.off('exit', onExit);
        resolve();
      }
    });
  });
  // Keep draining its output, so that it never blocks on a full pipe.
  lines.on('line', () => {});
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  // A paused server must run again to act on SIGTERM.
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  await exited;
}

/** A loopback port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}
