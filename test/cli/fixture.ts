// What the CLI tests share: the token, a VK error that echoes it, a URL where
// nothing listens, and the schema folder help reads descriptions from.

import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FakeErrorFields } from '../../src/testing/fake-vk.js';
import { repoRoot } from '../support/paths.js';

export const schemaDir = join(repoRoot, '../shared/vk-api-schema');

export const cliToken = 'vk1.a.CLI_TEST_TOKEN_abcdefghijklmnopqrstuvwxyz0123456789';

/** A VK error whose message quotes the token, as a careless server might: the CLI must not print it. */
export const echoingVkError: FakeErrorFields = {
  error_code: 901,
  error_msg: `Can't send messages for users without permission (token ${cliToken})`,
};

/** An API base URL on a loopback port that was just freed: connections are refused. */
export function closedPortUrl(): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(`http://127.0.0.1:${port}/method`));
    });
  });
}
