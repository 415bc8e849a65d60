// toAttachment(): VK's attachment strings for what uploads (and other methods) return.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toAttachment, type AttachmentType } from '../../src/uploads/attachment.js';
import { startUploadFixture } from '../fakes/upload-fixture.js';

test('<type><owner_id>_<id>, with _<access_key> when there is one', () => {
  assert.equal(toAttachment({ owner_id: 100, id: 457239017 }, 'photo'), 'photo100_457239017');
  assert.equal(toAttachment({ owner_id: -5, id: 7, access_key: '3f8a9c01' }, 'photo'), 'photo-5_7_3f8a9c01');
  assert.equal(toAttachment({ owner_id: -5, id: 7, access_key: '' }, 'video'), 'video-5_7');
});

test('every attachable kind, voice messages and graffiti as documents, a wall post by its to_id', () => {
  const kinds: [AttachmentType, string][] = [
    ['photo', 'photo'],
    ['video', 'video'],
    ['audio', 'audio'],
    ['doc', 'doc'],
    ['audio_message', 'doc'],
    ['graffiti', 'doc'],
    ['wall', 'wall'],
    ['wall_reply', 'wall_reply'],
    ['market', 'market'],
    ['market_album', 'market_album'],
    ['poll', 'poll'],
    ['story', 'story'],
    ['album', 'album'],
    ['page', 'page'],
    ['note', 'note'],
    ['podcast', 'podcast'],
    ['article', 'article'],
    ['clip', 'clip'],
    ['audio_playlist', 'audio_playlist'],
  ];
  for (const [type, prefix] of kinds)
    assert.equal(toAttachment({ owner_id: 1, id: 2, access_key: 'k' }, type), `${prefix}1_2_k`);
  assert.equal(toAttachment({ to_id: -9, id: 3 }, 'wall'), 'wall-9_3');
});

test('what is not an attachment is refused', () => {
  assert.throws(
    () => toAttachment({ owner_id: 1, id: 2 }, 'sticker' as AttachmentType),
    /unknown attachment type "sticker"/,
  );
  assert.throws(() => toAttachment({ id: 2 }, 'photo'), /has no owner_id/);
  assert.throws(
    () => toAttachment({ to_id: 4, id: 2 }, 'photo'),
    /has no owner_id/,
    "to_id names a wall post's owner only",
  );
  assert.throws(() => toAttachment({ owner_id: 1, id: Number.NaN }, 'photo'), /has no id/);
  assert.throws(() => toAttachment({ owner_id: 1.5, id: 2 }, 'photo'), /has no owner_id/);
  assert.throws(
    () => toAttachment({ owner_id: 1, id: 2, access_key: 'a,photo1_1' }, 'photo'),
    /access_key must be letters and digits/,
  );
  assert.throws(() => toAttachment(null as never, 'photo'), /must be an object/);
});

test('an uploaded photo and document, ready for messages.send', async () => {
  const fixture = await startUploadFixture();
  try {
    const api = fixture.client();
    const [photo] = await api.upload.messagePhoto({ peer_id: 1, source: Buffer.from('jpeg') });
    assert.match(toAttachment(photo!, 'photo'), /^photo100_457239017_k[0-9a-f]{8}$/);
    const saved = await api.upload.messageDocument({ peer_id: 1, source: Buffer.from('pdf') });
    assert.equal(toAttachment(saved.doc!, 'doc'), 'doc100_600001_d0c5ecre7');
  } finally {
    await fixture.close();
  }
});
