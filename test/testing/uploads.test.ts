// The upload fakes of vk-typed/testing: an upload host wired to a fake VK, met by the
// SDK's own uploads; and what importing the kit loads (not busboy, its optional peer,
// which only a starting upload host does).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { API, toAttachment } from '../../src/index.js';
import { serveUploadMethods, startFakeVk, startUploadHost } from '../../src/testing/index.js';
import { loadedAtImport } from '../support/import-graph.js';
import { repoRoot } from '../support/paths.js';

test('a photo uploaded to the fake host, saved on the fake VK and sent as an attachment', async () => {
  await using fake = await startFakeVk();
  await using host = await startUploadHost();
  serveUploadMethods(fake, host);
  fake.handle('messages.send', (params) => (params.attachment === undefined ? 0 : 1));
  const api = new API({ accessToken: 'upload-kit-token', apiBaseUrl: fake.apiBaseUrl, rateLimit: false });
  try {
    const bytes = Buffer.from('not really a jpeg');
    const [photo] = await api.upload.messagePhoto({ peer_id: 5, source: { value: bytes, filename: 'cat.jpg' } });
    assert.ok(photo);
    const attachment = toAttachment(photo, 'photo');
    assert.equal(await api.messages.send({ peer_id: 5, random_id: 1, attachment }), 1);

    const [received] = host.requests.flatMap((request) => request.files);
    assert.deepEqual([received?.field, received?.filename, received?.size], ['photo', 'cat.jpg', bytes.length]);
    assert.equal(received?.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual(
      fake.calls.map((call) => call.method),
      ['photos.getMessagesUploadServer', 'photos.saveMessagesPhoto', 'messages.send'],
    );
    assert.equal(fake.callsOf('messages.send')[0]?.params.attachment, attachment);
  } finally {
    await api.close();
  }
});

test('importing vk-typed/testing loads neither busboy nor the generated schemas', () => {
  const loaded = loadedAtImport(join(repoRoot, 'src/testing/index.ts'));
  assert.ok(loaded.has(join(repoRoot, 'src/testing/upload-host.ts')));
  assert.ok(!loaded.has('busboy'));
  assert.deepEqual(
    [...loaded].filter((module) => module.includes('/generated/validation/') || module.endsWith('/generated/methods.ts')),
    [],
  );
});
