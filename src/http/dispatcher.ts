// The undici dispatcher behind every request a session makes, API calls and
// auth pages alike, so that a proxy, a timeout or a user's own dispatcher set once
// applies to all of them.
import type { Dispatcher } from 'undici';
import { undici } from './load-undici.js';

/**
 * Any undici (7 or later) `Dispatcher`: an `Agent`, an `Agent` composed with
 * interceptors (`agent.compose(...)`), a `MockAgent`, a `ProxyAgent`, a `Pool`.
 * Declared by the one method the SDK calls, so that a dispatcher from another copy
 * of undici fits, and the SDK's published types do not pull in undici's.
 */
export interface HttpDispatcher {
  dispatch(options: object, handler: object): boolean;
}

export interface DispatcherOptions {
  /** Milliseconds; undici's connect, header and body timeouts are set from it so they never cut a call short. */
  timeout: number;
  /** An `http://` or `https://` proxy URL (credentials in it are sent to the proxy). */
  proxy?: string | undefined;
  /** The user's own dispatcher, which then carries every request instead of one the session makes. */
  dispatcher?: HttpDispatcher | undefined;
}

/** The user's dispatcher, checked, or `undefined` when none was given. */
export function userDispatcher({ proxy, dispatcher }: DispatcherOptions): Dispatcher | undefined {
  if (dispatcher === undefined) return undefined;
  if (typeof (dispatcher as Partial<HttpDispatcher> | null)?.dispatch !== 'function') {
    throw new TypeError('dispatcher must be an undici Dispatcher (an object with a dispatch() method)');
  }
  if (proxy !== undefined) {
    throw new TypeError('give either proxy or dispatcher, not both (for both, pass a ProxyAgent as the dispatcher)');
  }
  return dispatcher as Dispatcher;
}

/** The session's own keep-alive dispatcher, through the proxy when there is one. */
export function createDispatcher({ timeout, proxy }: DispatcherOptions): Dispatcher {
  const timeouts = { connectTimeout: timeout, headersTimeout: timeout, bodyTimeout: timeout };
  const { Agent, ProxyAgent } = undici();
  return proxy === undefined ? new Agent(timeouts) : new ProxyAgent({ uri: proxy, ...timeouts });
}
