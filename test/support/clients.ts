// API clients of a fake server for tests: limits and retries off unless a test
// turns them on, every client closed at the end.
import { API, type APIOptions } from '../../src/index.js';

export class TestClients {
  readonly #clients: API[] = [];

  /** @param defaults options every client gets (read when a client is made, so they may name a server started later) */
  constructor(private readonly defaults: () => APIOptions) {}

  client(options: APIOptions = {}): API {
    const api = new API({ rateLimit: false, maxRetries: 0, ...this.defaults(), ...options });
    this.#clients.push(api);
    return api;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#clients.splice(0).map((api) => api.close()));
  }
}

/** The id of the one user `users.get` returns: a call whose reply says which request it was. */
export async function getUser(api: API, id: number): Promise<number | undefined> {
  return (await api.users.get({ user_ids: [id] }))[0]?.id;
}
