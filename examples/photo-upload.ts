// `npm run example:photo-upload -- [image file]`: a photo uploaded for a message
// (api.upload.messagePhoto: the upload server, the file streamed to it, the save
// call), turned into an attachment (toAttachment) and sent with messages.send. With
// VK_TOKEN and VK_PEER_ID (whom to send it to) set it runs on VK; without them, on a
// fake VK and upload host (vk-typed/testing). Without a file it sends a tiny PNG.

import { API, ApiError, toAttachment, UploadError, type UploadSource } from '../src/index.js';
import { serveUploadMethods, startFakeVk, startUploadHost, type FakeUploadHost, type FakeVk } from '../src/testing/index.js';

const file = process.argv[2];
/** A 1x1 PNG, for when no file is given. */
const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const source: UploadSource = file === undefined ? { value: tinyPng, filename: 'dot.png' } : { path: file };

/** The fake: the upload methods (servers and saves) wired to a fake upload host, and messages.send. */
async function startFake(): Promise<{ vk: FakeVk; host: FakeUploadHost }> {
  const [vk, host] = await Promise.all([startFakeVk(), startUploadHost()]);
  serveUploadMethods(vk, host);
  vk.handle('messages.send', 1);
  console.log(`Fake VK at ${vk.url}, upload host at ${host.url} (set VK_TOKEN and VK_PEER_ID to run on VK)`);
  return { vk, host };
}

const token = process.env['VK_TOKEN'];
const peerId = Number(process.env['VK_PEER_ID'] ?? 1001);
if (token !== undefined && process.env['VK_PEER_ID'] === undefined) {
  console.error('Set VK_PEER_ID to whom the photo goes (a user id, or 2000000000 + a chat id)');
  process.exit(2);
}

const fake = token === undefined ? await startFake() : undefined;
await using vk = fake?.vk;
await using host = fake?.host;
const api = new API({ accessToken: token ?? 'fake-token', apiBaseUrl: vk?.apiBaseUrl });
try {
  const [photo] = await api.upload.messagePhoto(
    { peer_id: peerId, source },
    { onProgress: ({ loaded, total }) => console.log(`uploaded ${loaded} of ${total ?? '?'} bytes`) },
  );
  if (photo === undefined) throw new Error('VK saved no photo');
  const attachment = toAttachment(photo, 'photo');
  console.log(`saved as ${attachment}`);
  const messageId = await api.messages.send({ peer_id: peerId, attachment, message: 'A photo from vk-typed' });
  console.log(`sent to ${peerId} as message ${messageId}`);
  if (host !== undefined) {
    const [received] = host.requests.flatMap((request) => request.files);
    console.log(`the fake host received ${received?.filename} (${received?.size} bytes, sha256 ${received?.sha256.slice(0, 12)}...)`);
  }
} catch (error) {
  // UploadError says which step failed (the upload server, the host, the save call).
  if (error instanceof UploadError || error instanceof ApiError) console.error(`${error.name}: ${error.message}`);
  else console.error(error);
  process.exitCode = 1;
} finally {
  await api.close();
}
