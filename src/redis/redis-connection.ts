// The store's link to Redis: the client (the user's, or one made from a URL on first
// use, `redis` loaded only then), every script run bounded in time, and whether Redis
// is available. Trouble (a refused connection, a dropped socket, a reply later than
// the time limit) marks Redis unavailable, reported once; a probe then asks again
// every second, and the first answer marks it available again, reported once too.

import { scrubText } from '../core/censor.js';
import { RateLimitStoreError } from './store-error.js';
import { runScript, scripts, type RedisScriptClient, type Script } from './window-scripts.js';

/** Whether the store can reach Redis, as `onStatus` is told when it changes. */
export type RedisStoreStatus =
  { readonly available: false; readonly error: RateLimitStoreError } | { readonly available: true };

export interface RunOptions<T> {
  /** Milliseconds the run may take (at most the command timeout). */
  timeLimit?: number | undefined;
  /** Reads the reply; throws if it is not what the script returns. */
  read?: ((reply: unknown) => T) | undefined;
  /** Gets a reply that came after the run gave up. */
  late?: ((reply: unknown) => void) | undefined;
}

export interface RedisConnectionOptions {
  /** The user's client, used as it is (connected, and closed, by its owner). */
  client?: RedisScriptClient | undefined;
  /** A URL to make a client of our own from. */
  url?: string | undefined;
  /** The longest a script may take, reply included. */
  commandTimeout: number;
  onStatus: (status: RedisStoreStatus) => void;
}

/** How often Redis is asked again while unavailable. */
const probeIntervalMs = 1000;

/** The node-redis client we make from a URL: the script runner, and its lifecycle. */
interface OwnClient extends RedisScriptClient {
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

export class RedisConnection {
  readonly #userClient: RedisScriptClient | undefined;
  readonly #url: string | undefined;
  /** The URL's password, scrubbed from what errors say. */
  readonly #secrets: readonly string[];
  readonly #commandTimeout: number;
  readonly #onStatus: (status: RedisStoreStatus) => void;
  #own: Promise<OwnClient> | undefined;
  #ownClient: OwnClient | undefined;
  /** Why Redis is unavailable; undefined while it is available. */
  #down: RateLimitStoreError | undefined;
  /** Counts the times Redis was marked unavailable: only a run started since the
   * last of them proves it available again (a reply of an older one may still come
   * in after the connection broke). */
  #outages = 0;
  #probe: NodeJS.Timeout | undefined;
  #closed = false;
  /** Runs waiting now, told at once when the client reports trouble. */
  readonly #waiting = new Set<(error: RateLimitStoreError) => void>();
  /** Redis's clock minus ours, in ms, as last seen (a slight underestimate: the reply took time). */
  #clockOffset: number | undefined;

  constructor(options: RedisConnectionOptions) {
    this.#userClient = options.client;
    this.#url = options.url;
    this.#secrets = passwordOf(options.url);
    this.#commandTimeout = options.commandTimeout;
    this.#onStatus = options.onStatus;
  }

  /** Whether scripts are worth running now (not closed, not known to be unreachable). */
  get available(): boolean {
    return !this.#closed && this.#down === undefined;
  }

  /** Makes and connects our own client now, in the background (loading `redis` and
   * connecting take a while: better before the first call than during it). */
  start(): void {
    if (this.#userClient !== undefined) return;
    this.#connectOwn().catch((error: unknown) => this.#markUnavailable(this.#storeError(error)));
  }

  /** Why Redis is unavailable now, if it is. */
  get trouble(): RateLimitStoreError | undefined {
    return this.#closed ? new RateLimitStoreError('the store is closed') : this.#down;
  }

  /**
   * Runs `script` and reads its reply with `read`, within `timeLimit` ms (at most the
   * command timeout) and before any trouble the client reports meanwhile. Trouble,
   * or a reply `read` refuses, marks Redis unavailable and rejects with a
   * RateLimitStoreError. A reply that comes after the run gave up goes to `late`,
   * so that what it granted can be given back.
   */
  async run<T = unknown>(script: Script, keys: string[], args: string[], options: RunOptions<T> = {}): Promise<T> {
    if (this.#closed) throw new RateLimitStoreError('the store is closed');
    const { timeLimit = this.#commandTimeout, late, read = (reply: unknown) => reply as T } = options;
    const limit = Math.max(1, Math.min(timeLimit, this.#commandTimeout));
    let gaveUp = false;
    const outagesAtStart = this.#outages;
    let timer: NodeJS.Timeout | undefined;
    let onTrouble: ((error: RateLimitStoreError) => void) | undefined;
    const execution = this.#execute(script, keys, args);
    execution.then(
      (reply) => {
        if (gaveUp) late?.(reply);
      },
      () => {},
    );
    try {
      const reply = await Promise.race([
        execution,
        new Promise<never>((_, reject) => {
          // Marked at once, so that a reply coming in right after still goes to `late`.
          const giveUp = (error: RateLimitStoreError): void => {
            gaveUp = true;
            reject(error);
          };
          timer = setTimeout(() => giveUp(this.#tooSlow(limit)), limit);
          onTrouble = giveUp;
          this.#waiting.add(onTrouble);
        }),
      ]);
      const value = read(reply);
      if (outagesAtStart === this.#outages) this.#markAvailable();
      return value;
    } catch (error) {
      gaveUp = true;
      const storeError = this.#storeError(error);
      this.#markUnavailable(storeError);
      throw storeError;
    } finally {
      clearTimeout(timer);
      if (onTrouble) this.#waiting.delete(onTrouble);
    }
  }

  /** Redis's clock `ms` from now, for a script to refuse to act after (0: not known yet). */
  deadline(ms: number): number {
    return this.#clockOffset === undefined ? 0 : Math.floor(Date.now() + ms + this.#clockOffset);
  }

  /** A reply told Redis's clock: keeps the offset to ours. */
  sawClock(redisNow: number): void {
    this.#clockOffset = redisNow - Date.now();
  }

  /** Stops probing and closes the client we made (the user's stays open). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#probe);
    const own = this.#ownClient;
    if (own === undefined) return;
    if (own.isReady) await own.close().catch(() => destroyQuietly(own));
    else destroyQuietly(own);
  }

  /** Printable: where Redis is (the URL's password censored), whether it is available. */
  describe(): Record<string, unknown> {
    return {
      url: this.#url === undefined ? undefined : scrubText(this.#url, this.#secrets),
      client: this.#userClient === undefined ? 'own' : "the user's",
      available: this.available,
    };
  }

  async #execute(script: Script, keys: string[], args: string[]): Promise<unknown> {
    const client = this.#userClient ?? (await this.#connectOwn());
    if (client.isReady === false) throw new RateLimitStoreError('the Redis client is not connected');
    return runScript(client, script, keys, args);
  }

  /** Our client, made on first use and connected once; later runs get it as it is
   * (they fail at once while it reconnects: it queues nothing offline). */
  #connectOwn(): Promise<OwnClient> {
    this.#own ??= makeClient(this.#url!, this.#commandTimeout).then(async (client) => {
      // Closed while `redis` loaded: the client is never connected.
      if (this.#closed) throw new RateLimitStoreError('the store is closed');
      this.#ownClient = client;
      client.on('error', (error) => this.#markUnavailable(this.#storeError(error)));
      client.on('ready', () => {
        if (this.#down !== undefined) this.#probeNow();
      });
      // Retries by itself until it connects; runs meanwhile are bounded by their time limit.
      try {
        await client.connect();
      } catch (error) {
        // Refused for good (a wrong password, say): the next run starts afresh.
        this.#own = undefined;
        this.#ownClient = undefined;
        destroyQuietly(client);
        throw error;
      }
      return client;
    });
    return this.#own;
  }

  #tooSlow(limit: number): RateLimitStoreError {
    const connecting = this.#userClient === undefined && this.#ownClient?.isReady !== true;
    return new RateLimitStoreError(
      connecting ? `no connection to Redis within ${limit} ms` : `Redis did not answer within ${limit} ms`,
    );
  }

  #storeError(error: unknown): RateLimitStoreError {
    if (error instanceof RateLimitStoreError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new RateLimitStoreError(scrubText(reason, this.#secrets), { cause: error });
  }

  #markUnavailable(error: RateLimitStoreError): void {
    for (const reject of this.#waiting) reject(error);
    if (this.#closed || this.#down !== undefined) return;
    this.#down = error;
    this.#outages += 1;
    this.#onStatus({ available: false, error });
    this.#scheduleProbe();
  }

  #markAvailable(): void {
    if (this.#down === undefined) return;
    this.#down = undefined;
    clearTimeout(this.#probe);
    this.#probe = undefined;
    this.#onStatus({ available: true });
  }

  #scheduleProbe(): void {
    clearTimeout(this.#probe);
    this.#probe = setTimeout(() => this.#probeNow(), probeIntervalMs);
    // A probe alone never keeps the process alive.
    this.#probe.unref();
  }

  #probeNow(): void {
    clearTimeout(this.#probe);
    this.#probe = undefined;
    if (this.#closed) return;
    // Success marks Redis available; failure (reported once already) waits for the next probe.
    this.run(scripts.probe, [], []).catch(() => {
      if (this.#down !== undefined) this.#scheduleProbe();
    });
  }
}

async function makeClient(url: string, commandTimeout: number): Promise<OwnClient> {
  let redis: typeof import('redis');
  try {
    redis = await import('redis');
  } catch (error) {
    throw new RateLimitStoreError('RedisRateLimitStore({ url }) needs the redis package: npm install redis', {
      cause: error,
    });
  }
  return redis.createClient({
    url,
    // A command while disconnected fails at once instead of waiting for a reconnect.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: commandTimeout,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
    },
  }) as unknown as OwnClient;
}

function destroyQuietly(client: OwnClient): void {
  try {
    client.destroy();
  } catch {
    // Closed already.
  }
}

function passwordOf(url: string | undefined): string[] {
  if (url === undefined) return [];
  const { password } = new URL(url);
  return password === '' ? [] : [password, decodeURIComponent(password)];
}
