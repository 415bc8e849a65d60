// `npm run example:community-bot`: a community bot that answers messages, over the Bots
// Long Poll API. With VK_TOKEN (a community token with the messages right) and
// VK_GROUP_ID set it runs on VK until Ctrl-C; without them, on a fake VK with a long
// poll (vk-typed/testing) that brings three messages, and it exits once they are answered.

import { API, ApiError, BotsLongPoll } from '../src/index.js';
import { messageNewEvent, startFakeLongPoll, startFakeVk, type FakeLongPoll, type FakeVk } from '../src/testing/index.js';

const scripted = ['hello', 'time', 'what is this?'];
const fakeGroupId = 1;

/** What the bot says to `text`; `serverTime` asks VK for the time. */
async function answer(text: string, serverTime: () => Promise<number>): Promise<string> {
  if (/^(hi|hello)\b/i.test(text)) return 'Hello! Ask me the "time".';
  if (/^time\b/i.test(text)) return `VK's time is ${new Date((await serverTime()) * 1000).toISOString()}`;
  return `You said: ${text}`;
}

/** The fake: messages.send and utils.getServerTime, and a long poll bringing the scripted messages. */
async function startFake(): Promise<{ vk: FakeVk; longPoll: FakeLongPoll }> {
  const vk = await startFakeVk();
  vk.handle('messages.send', () => vk.callsOf('messages.send').length);
  vk.handle('utils.getServerTime', 1_700_000_000);
  const longPoll = await startFakeLongPoll({ vk, idleReply: 50 });
  longPoll.push(...scripted.map((text) => messageNewEvent({ peer_id: 1001, text }, fakeGroupId)));
  console.log(`Fake VK at ${vk.url} (set VK_TOKEN and VK_GROUP_ID to run on VK)`);
  return { vk, longPoll };
}

const token = process.env['VK_TOKEN'];
const groupId = Number(process.env['VK_GROUP_ID'] ?? fakeGroupId);
if (token !== undefined && process.env['VK_GROUP_ID'] === undefined) {
  console.error('Set VK_GROUP_ID to the id of the community whose token VK_TOKEN is');
  process.exit(2);
}

const fake = token === undefined ? await startFake() : undefined;
await using vk = fake?.vk;
await using _longPoll = fake?.longPoll;
const api = new API({ accessToken: token ?? 'fake-group-token', tokenType: 'group', apiBaseUrl: vk?.apiBaseUrl });
// A short wait on the fake, so that it exits soon after its last message; VK's 25 s otherwise.
const poll = new BotsLongPoll(api, { groupId, wait: fake === undefined ? 25 : 1 });
let answered = 0;

poll.on('message_new', async ({ object: { message } }, signal) => {
  console.log(`<- ${message.peer_id}: ${message.text}`);
  const reply = await answer(message.text, () => api.utils.getServerTime({}, { signal }));
  await api.messages.send({ peer_id: message.peer_id, message: reply }, { signal });
  console.log(`-> ${message.peer_id}: ${reply}`);
  answered += 1;
  if (fake !== undefined && answered === scripted.length) poll.stop();
});

const stop = () => {
  console.log('Stopping...');
  poll.stop();
};
process.once('SIGINT', stop);
try {
  console.log(`Listening to community ${groupId}${fake === undefined ? ' (Ctrl-C to stop)' : ''}`);
  // A message that fails is reported, and the bot goes on with the next.
  await poll.start({ onError: (error) => console.error(error instanceof ApiError ? `VK error ${error.message}` : error) });
  console.log(`Stopped after ${answered} answers`);
} catch (error) {
  // A fatal error: a bad token, the community's Long Poll API turned off.
  console.error(error instanceof ApiError ? `VK error ${error.message}` : error);
  process.exitCode = 1;
} finally {
  process.off('SIGINT', stop);
  await api.close();
}
