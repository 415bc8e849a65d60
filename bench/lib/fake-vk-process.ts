// The tests' fake VK server in a process of its own, for bench/runtime.ts: the
// client being measured then has its event loop to itself. Prints its base URL on
// the first line of stdout, serves until stdin closes. $FAKE_VK_RATE_LIMIT sets a
// per-token limit (error 6 past it); GET /bench/stats tells what it accepted.
import { PerTokenRateLimit } from '../../src/testing/faults.js';
import { json, startFakeVk } from '../../src/testing/fake-vk.js';

const perSecond = Number(process.env['FAKE_VK_RATE_LIMIT'] ?? '0');
const server = await startFakeVk();
server.reply('users.get', (params) =>
  (params['user_ids'] ?? '').split(',').map((id) => ({ id: Number(id), first_name: 'Pavel', last_name: 'Durov' })),
);
const limit = perSecond > 0 ? new PerTokenRateLimit(perSecond) : undefined;
if (limit) server.gate(limit.gate);
server.route('/bench/stats', () =>
  json({
    accepted: limit?.accepted.length ?? 0,
    refused: limit?.refused ?? 0,
    busiest: Math.max(
      0,
      ...[...new Set(limit?.accepted.map((request) => request.token))].map((token) => limit!.busiestWindow(token)),
    ),
  }),
);
// The fake records every request for tests; a bench would only grow that list.
setInterval(() => {
  server.requests.length = 0;
}, 1000).unref();

console.log(server.url);
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
process.stdin.resume();
