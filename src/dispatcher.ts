// The undici dispatcher behind every request a session makes, API calls and
// auth pages alike, so a proxy and a timeout set once apply to all of them.
import type { Dispatcher } from 'undici';
import { undici } from './load-undici.js';

export interface DispatcherOptions {
  /** Milliseconds; undici's connect, header and body timeouts are set from it so they never cut a call short. */
  timeout: number;
  /** An `http://` or `https://` proxy URL (credentials in it are sent to the proxy). */
  proxy?: string | undefined;
}

export function createDispatcher({ timeout, proxy }: DispatcherOptions): Dispatcher {
  const timeouts = { connectTimeout: timeout, headersTimeout: timeout, bodyTimeout: timeout };
  const { Agent, ProxyAgent } = undici();
  return proxy === undefined ? new Agent(timeouts) : new ProxyAgent({ uri: proxy, ...timeouts });
}
