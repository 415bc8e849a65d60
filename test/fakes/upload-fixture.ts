// The fake VK and a fake upload host (src/testing/), wired together, with sessions
// of the SDK pointed at them: what the upload tests share.

import { API, type APIOptions } from '../../src/index.js';
import { serveUploadMethods, startFakeVk, startUploadHost, type FakeUploadHost, type FakeVk } from '../../src/testing/index.js';

export interface UploadFixture {
  readonly vk: FakeVk;
  readonly host: FakeUploadHost;
  /** The sessions' token, which must never reach the upload host. */
  readonly token: string;
  /** A session of the fake VK: rate limit off, no retries unless asked. */
  client(options?: APIOptions): API;
  /** Every place a request to the upload host could carry the token: URL, headers, body. */
  hostTraffic(): string;
  close(): Promise<void>;
}

/** The fake VK and upload host, wired together, with a client maker. */
export async function startUploadFixture(hostOptions: { keepBytes?: number } = {}): Promise<UploadFixture> {
  const token = 'vk1.a.UPLOAD_TEST_TOKEN_abcdefghijklmnopqrstuvwxyz0123';
  const [vk, host] = await Promise.all([startFakeVk({ tokens: [token] }), startUploadHost(hostOptions)]);
  serveUploadMethods(vk, host);
  const clients: API[] = [];
  return {
    vk,
    host,
    token,
    client: (options = {}) => {
      const api = new API({
        accessToken: token,
        apiBaseUrl: vk.apiBaseUrl,
        rateLimit: false,
        maxRetries: 0,
        ...options,
      });
      clients.push(api);
      return api;
    },
    hostTraffic: () =>
      host.requests
        .map((request) => `${request.url}\n${JSON.stringify(request.headers)}\n${request.raw.toString('latin1')}`)
        .join('\n'),
    close: async () => {
      await Promise.all(clients.map((api) => api.close()));
      await Promise.all([vk.close(), host.close()]);
    },
  };
}
