// Type tests of `api.upload`: each kind takes its two methods' params from the schema
// (less what the upload host fills in) and a file, and returns its save method's
// result; toAttachment takes what they return. Compiled by test/types/compile.test.ts.
import { createReadStream } from 'node:fs';
import { API, CommunityAPI } from '../../src/index.js';
import type { DocsSaveResponse, PhotosPhoto, StoriesSaveResponse, VideoSaveResponse } from '../../src/index.js';
import { toAttachment } from '../../src/uploads/attachment.js';

const api = new API({ accessToken: 'token' });

export async function kinds(): Promise<void> {
  const photos: PhotosPhoto[] = await api.upload.messagePhoto({ peer_id: 2000000001, source: Buffer.from('') });
  const attachment: string = toAttachment(photos[0]!, 'photo');
  const doc: DocsSaveResponse = await api.upload.messageDocument({
    peer_id: 1,
    type: 'audio_message',
    title: 'voice',
    source: { path: 'a.ogg' },
  });
  const video: VideoSaveResponse = await api.upload.video({
    name: 'Holiday',
    group_id: 5,
    source: createReadStream('v.mp4'),
  });
  const story: StoriesSaveResponse = await api.upload.storyPhoto({
    add_to_news: true,
    source: { url: 'https://example.org/a.jpg' },
  });
  const album: PhotosPhoto[] = await api.upload.albumPhotos({
    album_id: 1,
    caption: 'trip',
    sources: [new Blob(['x']), new Uint8Array(3)],
  });
  const { photo_id }: { photo_id: number } = await api.upload.marketProductPhoto({
    group_id: 5,
    source: { value: Buffer.from(''), filename: 'a.png' },
  });
  await api.upload.wallPhoto(
    { group_id: 5, caption: 'c', latitude: 1, source: new Uint8Array(1) },
    { timeout: { upload: 60_000 }, onProgress: ({ loaded, total }) => void [loaded, total] },
  );
  await api.upload.chatPhoto(
    { chat_id: 1, crop_x: 0, source: Buffer.from('') },
    { signal: AbortSignal.timeout(1000), maxRetries: 1 },
  );
  await api.upload.groupCover({ group_id: 5, crop_x2: 1590, source: Buffer.from('') });
  void [attachment, doc, video, story, album, photo_id];
}

export async function refused(): Promise<void> {
  // @ts-expect-error a misspelt param of either method
  await api.upload.messagePhoto({ peer_idd: 1, source: Buffer.from('') });
  // @ts-expect-error the file is required
  await api.upload.messagePhoto({ peer_id: 1 });
  // @ts-expect-error an album takes sources, not source
  await api.upload.albumPhotos({ album_id: 1, source: Buffer.from('') });
  // @ts-expect-error a photo takes one file
  await api.upload.wallPhoto({ sources: [Buffer.from('')] });
  // @ts-expect-error the upload host's reply fills photo, server and hash
  await api.upload.messagePhoto({ photo: 'x', source: Buffer.from('') });
  // @ts-expect-error docs.save's file comes from the host too
  await api.upload.document({ file: 'x', source: Buffer.from('') });
  // @ts-expect-error a required param of the upload-server method (chat_id)
  await api.upload.chatPhoto({ source: Buffer.from('') });
  // @ts-expect-error market photos need their community
  await api.upload.marketProductPhoto({ source: Buffer.from('') });
  // @ts-expect-error bulk uploads are another save method's
  await api.upload.marketProductPhoto({ group_id: 1, bulk: true, source: Buffer.from('') });
  // @ts-expect-error a video link is not an upload
  await api.upload.video({ link: 'https://youtu.be/x', source: Buffer.from('') });
  // @ts-expect-error a schema enum: docs types are doc, audio_message, graffiti
  await api.upload.messageDocument({ type: 'pdf', source: Buffer.from('') });
  // @ts-expect-error a file path is { path }, not a string
  await api.upload.document({ source: 'cat.jpg' });
  // @ts-expect-error a number is no file
  await api.upload.document({ source: 42 });
  // @ts-expect-error an unknown option
  await api.upload.document({ source: Buffer.from('') }, { retries: 1 });
  // @ts-expect-error no such kind
  await api.upload.audio({ source: Buffer.from('') });
  // @ts-expect-error the save result is a list of photos, not one
  const one: PhotosPhoto = await api.upload.wallPhoto({ source: Buffer.from('') });
  // @ts-expect-error not an attachable kind
  toAttachment({ owner_id: 1, id: 2 }, 'sticker');
  // @ts-expect-error an attachment needs an id
  toAttachment({ owner_id: 1 }, 'photo');
  void one;
}

export async function community(): Promise<void> {
  const session = new CommunityAPI({ userLogin: 'a', userPassword: 'b', groupIds: [5] });
  // CommunityAPI's group_id (which picks the token) goes with every kind.
  await session.upload.messagePhoto({ group_id: 5, peer_id: 1, source: Buffer.from('') });
}
