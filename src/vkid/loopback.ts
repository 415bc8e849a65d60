// The whole VK ID login for scripts and CLIs: a one-shot HTTP server on 127.0.0.1
// receives the redirect (`http://127.0.0.1:<port>/callback`), the URL is printed (and
// opened, when asked), and the code is exchanged for tokens. The server closes when
// the login ends, however it ends: tokens, a refusal, the signal, or the timeout.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError } from '../auth/auth-error.js';
import { openInBrowser } from './open-browser.js';
import type { VKIDTokens } from './tokens.js';
import { VKID, type AuthorizationUrlOptions, type VKIDOptions } from './vkid.js';

export interface LoopbackLoginOptions extends Omit<VKIDOptions, 'redirectUri'>, Omit<AuthorizationUrlOptions, 'state'> {
  /** The port on 127.0.0.1 (default 0: any free one). VK ID sends the browser only to a
   * trusted redirect URL of the app: add `http://127.0.0.1:<port>/callback` to them. */
  port?: number;
  /** Shows the URL to the user; default: a line on stderr. A rejection ends the login. */
  onUrl?: (url: string) => void | Promise<void>;
  /** Also opens the URL in the default browser. Default `false`. */
  openBrowser?: boolean;
  /** Milliseconds to wait for the redirect (default 300 000): then an AuthError
   * TOKEN_MISSING. */
  waitTimeout?: number;
  /** Ends the login (the wait and the exchange), with the signal's reason. */
  signal?: AbortSignal;
}

const loopbackCallbackPath = '/callback';
const defaultWaitTimeout = 300_000;

/** What the redirect brought, and the browser's request, answered once the exchange ends. */
interface Redirect {
  readonly code: string;
  readonly deviceId: string;
  readonly response: ServerResponse;
}

/**
 * Runs a VK ID login on a loopback redirect and resolves with the tokens (to store,
 * and to hand to `VKIDUserAPI`). The URL is printed on stderr (or given to `onUrl`);
 * the browser is opened only with `openBrowser: true`.
 */
export async function loginWithLoopback(options: LoopbackLoginOptions): Promise<VKIDTokens> {
  const { port = 0, onUrl = printUrl, openBrowser = false, waitTimeout = defaultWaitTimeout, signal } = options;
  if (!(Number.isSafeInteger(port) && port >= 0 && port <= 65_535)) throw new RangeError(`port must be 0 to 65535, got ${port}`);
  if (!(Number.isFinite(waitTimeout) && waitTimeout > 0)) throw new RangeError(`waitTimeout must be a positive number of ms, got ${waitTimeout}`);
  signal?.throwIfAborted();

  const server = createServer();
  // Ends the wait for the redirect however the login ends (onUrl failing included).
  const over = new AbortController();
  try {
    await listen(server, port);
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${loopbackCallbackPath}`;
    const vkid = new VKID({ ...options, redirectUri });
    try {
      const { url, state, codeVerifier } = vkid.authorizationUrl(options);
      const waitSignal = signal === undefined ? over.signal : AbortSignal.any([signal, over.signal]);
      const redirect = waitForRedirect(server, state, redirectUri, waitTimeout, waitSignal);
      const shown = Promise.resolve().then(() => onUrl(url));
      // onUrl may still be running (a test's browser, waiting on this very redirect):
      // it can end the login by failing, not by taking its time.
      const arrived = Promise.race([redirect, shown.then(() => redirect)]);
      if (openBrowser) openInBrowser(url, (error) => process.stderr.write(`Could not open a browser (${error.message}); open the URL yourself.\n`));
      const { code, deviceId, response } = await arrived;
      try {
        const tokens = await vkid.exchangeCode({ code, deviceId, state, codeVerifier }, { signal });
        await answer(response, 200, 'You are logged in with VK ID. You may close this tab.');
        return tokens;
      } catch (error) {
        await answer(response, 502, 'The VK ID login failed; the program that started it says why.');
        throw error;
      }
    } finally {
      await vkid.close();
    }
  } finally {
    over.abort();
    await closeServer(server);
  }
}

function printUrl(url: string): void {
  process.stderr.write(`Open this URL in a browser to log in with VK ID:\n${url}\n`);
}

/**
 * The first redirect to the callback that carries the login's state. Other requests
 * (a favicon, a stale tab's redirect with another state) are answered and ignored;
 * VK's refusal (`error=` with the state) ends the wait with an OAUTH_ERROR.
 */
function waitForRedirect(
  server: Server,
  state: string,
  redirectUri: string,
  waitTimeout: number,
  signal: AbortSignal | undefined,
): Promise<Redirect> {
  return new Promise<Redirect>((resolve, reject) => {
    const end = (outcome: () => void): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      server.off('request', onRequest);
      outcome();
    };
    const onAbort = (): void => end(() => reject(signal?.reason));
    const timer = setTimeout(
      () =>
        end(() =>
          reject(new AuthError('TOKEN_MISSING', 'authorize page', `no redirect to ${redirectUri} came within ${waitTimeout} ms`)),
        ),
      waitTimeout,
    );
    const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
      const url = new URL(request.url ?? '/', redirectUri);
      if (request.method !== 'GET' || url.pathname !== loopbackCallbackPath) {
        void answer(response, 404, 'Not found.');
        return;
      }
      const query = url.searchParams;
      if (query.get('state') !== state) {
        void answer(response, 400, 'This redirect does not belong to the VK ID login under way.');
        return;
      }
      const error = query.get('error');
      const code = query.get('code');
      const deviceId = query.get('device_id');
      if (error === null && code && deviceId) {
        end(() => resolve({ code, deviceId, response }));
        return;
      }
      void answer(response, 400, 'The VK ID login did not succeed; the program that started it says why.');
      const description = query.get('error_description') ?? undefined;
      const refusal =
        error !== null
          ? new AuthError('OAUTH_ERROR', 'authorize page', description ?? error, { oauthError: error, errorDescription: description })
          : new AuthError('UNEXPECTED_RESPONSE', 'authorize page', 'the redirect has no code or no device_id');
      end(() => reject(refusal));
    };
    server.on('request', onRequest);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
  });
}

/** Ends a browser's request with a small page, closing its connection; settles also
 * when the browser went away first (a closed tab). */
function answer(response: ServerResponse, status: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed) return resolve();
    response.once('finish', resolve).once('close', resolve);
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
    response.end(`<!doctype html><meta charset="utf-8"><title>VK ID</title><p>${text}</p>\n`);
  });
}

/** Not cancellable: a loopback listen ends at once, and a server still starting when
 * its caller gave up would be left listening. */
function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops listening and drops every connection left (a browser's keep-alive ones). */
function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
