// Every kind of upload against the fake VK and the fake upload host (a real multipart
// parser): the two API calls, the file in the field the host reads, its bytes intact,
// the save method handed what the host replied, and the token never at the host.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import { ApiError, CommunityAPI } from '../../src/index.js';
import { Uploads } from '../../src/uploads/uploads.js';
import { uploadKinds, type UploadKind } from '../../src/uploads/kinds.js';
import { startUploadFixture, type UploadFixture } from '../fakes/upload-fixture.js';
import { rejection } from '../support/rejection.js';

let fixture: UploadFixture;

before(async () => {
  fixture = await startUploadFixture();
});

beforeEach(() => {
  fixture.vk.requests.length = 0;
  fixture.host.requests.length = 0;
});

after(() => fixture.close());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface KindCase {
  /** The caller's params besides the file. */
  readonly params: Record<string, unknown>;
  /** The API calls the upload makes, in order. */
  readonly calls: readonly string[];
  /** The field the host found the file in. */
  readonly field: string;
  /** Params the save call must carry (beside what the host replied). */
  readonly saved?: Readonly<Record<string, string>>;
  /** What VK's save method returned, as the upload must return it. */
  readonly result: (value: unknown) => void;
}

const photoList = (value: unknown) => {
  assert.ok(Array.isArray(value) && value.length === 1);
  assert.equal((value[0] as { id: number }).id, 457239017);
};
const aDoc = (value: unknown) => assert.equal((value as { type: string }).type, 'doc');
const oneStory = (value: unknown) => assert.equal((value as { count: number }).count, 1);
const widgetImage = (value: unknown) => assert.equal((value as { id: string }).id, '-1_5');

const cases: Record<UploadKind, KindCase> = {
  messagePhoto: {
    params: { peer_id: 2000000001 },
    calls: ['photos.getMessagesUploadServer', 'photos.saveMessagesPhoto'],
    field: 'photo',
    result: photoList,
  },
  wallPhoto: {
    params: { group_id: 77, caption: 'a cat' },
    calls: ['photos.getWallUploadServer', 'photos.saveWallPhoto'],
    field: 'photo',
    saved: { group_id: '77', caption: 'a cat' },
    result: photoList,
  },
  albumPhotos: {
    params: { album_id: 12, group_id: 5 },
    calls: ['photos.getUploadServer', 'photos.save'],
    field: 'file1',
    saved: { album_id: '12', group_id: '5' },
    result: (value) => assert.equal((value as unknown[]).length, 1),
  },
  ownerPhoto: {
    params: { owner_id: -5 },
    calls: ['photos.getOwnerPhotoUploadServer', 'photos.saveOwnerPhoto'],
    field: 'photo',
    result: (value) => assert.equal((value as { saved: number }).saved, 1),
  },
  chatPhoto: {
    params: { chat_id: 152, crop_x: 10 },
    calls: ['photos.getChatUploadServer', 'messages.setChatPhoto'],
    field: 'file',
    result: (value) => assert.equal((value as { message_id: number }).message_id, 3745390),
  },
  marketProductPhoto: {
    params: { group_id: 5 },
    calls: ['market.getProductPhotoUploadServer', 'market.saveProductPhoto'],
    field: 'file',
    result: (value) => assert.deepEqual(value, { photo_id: 457239024 }),
  },
  marketAlbumPhoto: {
    params: { group_id: 5 },
    calls: ['photos.getMarketAlbumUploadServer', 'photos.saveMarketAlbumPhoto'],
    field: 'file',
    saved: { group_id: '5' },
    result: photoList,
  },
  messageDocument: {
    params: { peer_id: 7, type: 'audio_message', title: 'voice' },
    calls: ['docs.getMessagesUploadServer', 'docs.save'],
    field: 'file',
    saved: { title: 'voice' },
    result: (value) => assert.equal((value as { doc: { title: string } }).doc.title, 'voice'),
  },
  wallDocument: {
    params: { group_id: 5, tags: 'a,b' },
    calls: ['docs.getWallUploadServer', 'docs.save'],
    field: 'file',
    saved: { tags: 'a,b' },
    result: aDoc,
  },
  document: { params: {}, calls: ['docs.getUploadServer', 'docs.save'], field: 'file', result: aDoc },
  video: {
    params: { name: 'Holiday', group_id: 5, wallpost: true },
    calls: ['video.save'],
    field: 'video_file',
    result: (value) =>
      assert.deepEqual(
        [(value as { video_id: number }).video_id, (value as { title: string }).title],
        [456239017, 'Holiday'],
      ),
  },
  storyPhoto: {
    params: { add_to_news: true, link_text: 'more' },
    calls: ['stories.getPhotoUploadServer', 'stories.save'],
    field: 'file',
    result: oneStory,
  },
  storyVideo: {
    params: { group_id: 5 },
    calls: ['stories.getVideoUploadServer', 'stories.save'],
    field: 'video_file',
    result: oneStory,
  },
  pollBackground: {
    params: { owner_id: -5 },
    calls: ['polls.getPhotoUploadServer', 'polls.savePhoto'],
    field: 'photo',
    result: (value) => assert.equal((value as { id: number }).id, 5),
  },
  groupCover: {
    params: { group_id: 5, crop_x: 0, crop_y: 0, crop_x2: 1590, crop_y2: 400 },
    calls: ['photos.getOwnerCoverPhotoUploadServer', 'photos.saveOwnerCoverPhoto'],
    field: 'photo',
    result: (value) => assert.equal((value as { images: unknown[] }).images.length, 1),
  },
  appImage: {
    params: { image_type: '510x128' },
    calls: ['appWidgets.getAppImageUploadServer', 'appWidgets.saveAppImage'],
    field: 'image',
    result: widgetImage,
  },
  groupImage: {
    params: { image_type: '160x160' },
    calls: ['appWidgets.getGroupImageUploadServer', 'appWidgets.saveGroupImage'],
    field: 'image',
    result: widgetImage,
  },
  videoThumb: {
    params: { owner_id: 100, video_id: 456239017, set_thumb: true },
    calls: ['video.getThumbUploadUrl', 'video.saveUploadedThumb'],
    field: 'file',
    saved: { video_id: '456239017', set_thumb: '1' },
    result: (value) => assert.equal((value as { photo_id: number }).photo_id, 1),
  },
};

test('api.upload has a method for every kind, and the kinds table a case here for each', () => {
  const kinds = Object.keys(uploadKinds).sort();
  assert.deepEqual(Object.keys(cases).sort(), kinds);
  for (const kind of kinds) assert.equal(typeof Uploads.prototype[kind as UploadKind], 'function', kind);
  assert.ok(fixture.client().upload instanceof Uploads);
});

for (const [kind, expected] of Object.entries(cases) as [UploadKind, KindCase][]) {
  test(`${kind}: ${expected.calls.join(', then ')}, the file in "${expected.field}", bytes intact, without the token`, async () => {
    const { vk, host } = fixture;
    const bytes = randomBytes(150_000);
    const file = 'maxFiles' in uploadKinds[kind] ? { sources: [bytes] } : { source: bytes };
    const upload = fixture.client().upload[kind] as (params: object) => Promise<unknown>;
    expected.result(await upload.call(fixture.client().upload, { ...expected.params, ...file }));

    assert.deepEqual(
      vk.requests.map((request) => request.path.replace('/method/', '')),
      expected.calls,
    );
    assert.equal(host.requests.length, 1);
    const [posted] = host.requests;
    assert.equal(posted!.method, 'POST');
    assert.equal(posted!.headers['content-length'], String(posted!.bytes), 'a body of known size says so');
    assert.deepEqual(
      posted!.files.map(({ field, size, sha256: hash, filename }) => ({ field, size, hash, filename })),
      [{ field: expected.field, size: bytes.length, hash: sha256(bytes), filename: uploadKinds[kind].defaultFilename }],
    );
    // Every param goes to the upload-server method but those `saved` names (which only the save method takes, or both).
    const [serverCall, saveCall] = vk.requests;
    for (const [key, value] of Object.entries(expected.params)) {
      if (expected.saved?.[key] === undefined || key === 'group_id')
        assert.equal(
          serverCall!.params[key],
          value === true ? '1' : String(value),
          `${key} goes to the upload-server method`,
        );
    }
    for (const [key, value] of Object.entries(expected.saved ?? {}))
      assert.equal(saveCall?.params[key], value, `${key} goes to the save method`);
    assert.ok(!fixture.hostTraffic().includes(fixture.token), 'the token never reaches the upload host');
    assert.ok(!fixture.hostTraffic().includes('access_token'));
  });
}

test('albumPhotos sends up to five files as file1..file5 in one request, and saves them in one call', async () => {
  const { vk, host } = fixture;
  const photos = [1, 2, 3, 4, 5].map(() => randomBytes(20_000));
  const saved = await fixture.client().upload.albumPhotos({ album_id: 12, sources: photos, caption: 'trip' });
  assert.equal(saved.length, 5);
  assert.equal(host.requests.length, 1);
  assert.deepEqual(
    host.requests[0]!.files.map((file) => [file.field, file.sha256]),
    photos.map((photo, n) => [`file${n + 1}`, sha256(photo)]),
  );
  assert.deepEqual(
    vk.requests.map((request) => [request.path, request.params['album_id'], request.params['caption']]),
    [
      ['/method/photos.getUploadServer', '12', undefined],
      ['/method/photos.save', '12', 'trip'],
    ],
  );
});

test("the params of both methods are the schema's: each method gets those it takes, group_id both", async () => {
  const { vk } = fixture;
  await fixture.client().upload.wallPhoto({ group_id: 9, caption: 'c', latitude: 55.7, source: Buffer.from('x') });
  const [server, save] = vk.requests;
  assert.deepEqual(server!.body, { group_id: '9', access_token: fixture.token, v: '5.199' });
  assert.equal(save!.body['group_id'], '9');
  assert.equal(save!.body['caption'], 'c');
  assert.equal(save!.body['latitude'], '55.7');
  assert.equal(typeof save!.body['photo'], 'string');
});

test("a CommunityAPI's group_id picks the token of both calls, and goes only to methods that take it", async () => {
  const { vk } = fixture;
  const api = new CommunityAPI({
    groupIds: [5, 6],
    groupTokens: { 5: fixture.token, 6: 'vk1.a.group-6-token-the-fake-vk-refuses-0123456789' },
    apiBaseUrl: vk.apiBaseUrl,
    rateLimit: false,
    maxRetries: 0,
  });
  try {
    await api.upload.messagePhoto({ group_id: 5, peer_id: 1, source: Buffer.from('x') });
    assert.deepEqual(
      vk.requests.map((request) => [
        request.path,
        request.body['access_token'] === fixture.token,
        request.body['group_id'],
      ]),
      [
        ['/method/photos.getMessagesUploadServer', true, undefined],
        ['/method/photos.saveMessagesPhoto', true, undefined],
      ],
    );
    const refused = await rejection(api.upload.messagePhoto({ peer_id: 1, source: Buffer.from('x') }, { groupId: 6 }));
    assert.ok(refused instanceof ApiError && refused.code === 5, String(refused));
  } finally {
    await api.close();
  }
});
