// The long poll fake of vk-typed/testing as users mount it: on a fake VK of their own,
// fed `message_new` events that a BotsLongPoll receives, typed, and answers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API, BotsLongPoll } from '../../src/index.js';
import { messageNewEvent, startFakeLongPoll, startFakeVk } from '../../src/testing/index.js';

test('events pushed to a long poll on your own fake VK reach a BotsLongPoll; the fake VK outlives it', async () => {
  await using vk = await startFakeVk();
  vk.handle('messages.send', (params) => params.random_id ?? 0);
  const api = new API({ accessToken: 'group-token', tokenType: 'group', apiBaseUrl: vk.apiBaseUrl, rateLimit: false });
  try {
    {
      await using longPoll = await startFakeLongPoll({ vk, idleReply: 20 });
      longPoll.push(messageNewEvent({ peer_id: 7, text: 'ping' }, 42), messageNewEvent({ peer_id: 8, text: 'stop' }, 42));
      const poll = new BotsLongPoll(api, { groupId: 42, wait: 1 });
      const heard: string[] = [];
      poll.on('message_new', async ({ object: { message } }) => {
        heard.push(`${message.peer_id}: ${message.text}`);
        await api.messages.send({ peer_id: message.peer_id, random_id: message.id, message: `re: ${message.text}` });
        if (message.text === 'stop') poll.stop();
      });
      await poll.start();
      assert.deepEqual(heard, ['7: ping', '8: stop']);
      assert.equal(longPoll.connects, 1);
    }
    assert.deepEqual(
      vk.callsOf('messages.send').map((call) => [call.params.peer_id, call.params.message]),
      [
        [7, 're: ping'],
        [8, 're: stop'],
      ],
    );
    assert.equal((await fetch(`${vk.url}/nothing`)).status, 404, 'the fake VK is still up');
  } finally {
    await api.close();
  }
});
