// The fake API methods of every upload, on a fake VK server: each upload-server method
// hands out a URL of a fake upload host for its act; each save method checks that what
// it is handed is what the host replied, and returns what VK would.

import type { FakeVk } from './fake-vk.js';
import { FakeApiError } from './replies.js';
import type { FakeUploadHost, ReceivedFile, UploadAct } from './upload-host.js';

const owner = 100;

/** A photo as VK's save methods return it, standing for the host's `token`. */
function photo(id: number, token: string): Record<string, unknown> {
  return {
    id,
    owner_id: owner,
    album_id: -3,
    date: 1700000000,
    text: '',
    sizes: [],
    access_key: `k${token.slice(-8).replace(/-/g, '')}`,
    token,
  };
}

/** The stored upload a save call names, or VK's error 121 ("invalid hash") for anything else. */
function storedUpload(host: FakeUploadHost, token: unknown): ReceivedFile[] {
  const files = typeof token === 'string' ? host.filesOf(token) : undefined;
  if (files === undefined) throw new FakeApiError({ error_code: 121, error_msg: 'Invalid hash' });
  return files;
}

/**
 * Fake API methods for every upload: each upload-server method gives a URL of `host`
 * for its act; each save method checks that what it is handed is what the host
 * replied, and returns what VK would, carrying the stored files' tokens.
 */
export function serveUploadMethods(vk: FakeVk, host: FakeUploadHost): void {
  const server = (method: string, act: UploadAct, extra: (params: Record<string, string>) => object = () => ({})) =>
    vk.reply(method, (params) => ({
      upload_url: host.uploadUrl(act, { aid: params['album_id'] ?? '0' }),
      ...extra(params),
    }));
  server('photos.getMessagesUploadServer', 'photo', () => ({ album_id: -3, user_id: owner }));
  server('photos.getWallUploadServer', 'photo', () => ({ album_id: -14, user_id: owner }));
  server('photos.getUploadServer', 'album', (p) => ({ album_id: Number(p['album_id']), user_id: owner }));
  server('photos.getOwnerPhotoUploadServer', 'photo');
  server('photos.getChatUploadServer', 'chat');
  server('photos.getMarketAlbumUploadServer', 'marketAlbum');
  server('market.getProductPhotoUploadServer', 'market');
  server('docs.getMessagesUploadServer', 'doc');
  server('docs.getWallUploadServer', 'doc');
  server('docs.getUploadServer', 'doc');
  server('stories.getPhotoUploadServer', 'story', () => ({ user_ids: [] }));
  server('stories.getVideoUploadServer', 'story', () => ({ user_ids: [] }));
  server('polls.getPhotoUploadServer', 'poll');
  server('photos.getOwnerCoverPhotoUploadServer', 'cover');
  server('appWidgets.getAppImageUploadServer', 'widget');
  server('appWidgets.getGroupImageUploadServer', 'widget');
  server('video.getThumbUploadUrl', 'thumb');
  server('video.save', 'video', (p) => ({
    video_id: 456239017,
    owner_id: owner,
    title: p['name'] ?? 'Untitled',
    description: '',
    access_key: 'a1b2c3',
  }));

  const photoSave = (params: Record<string, string>) => {
    storedUpload(host, params['photo']);
    if (params['hash'] === undefined || params['server'] === undefined)
      throw new FakeApiError({ error_code: 121, error_msg: 'Invalid hash' });
    return [photo(457239017, params['photo']!)];
  };
  vk.reply('photos.saveMessagesPhoto', photoSave);
  vk.reply('photos.saveWallPhoto', photoSave);
  vk.reply('photos.saveMarketAlbumPhoto', photoSave);
  vk.reply('photos.saveOwnerPhoto', (params) => {
    storedUpload(host, params['photo']);
    return { photo_hash: params['hash'], photo_src: 'https://sun9-1.userapi.com/a.jpg', saved: 1, post_id: 3331 };
  });
  vk.reply('photos.save', (params) =>
    storedUpload(host, params['photos_list']).map((_, n) => photo(457239100 + n, params['photos_list']!)),
  );
  vk.reply('messages.setChatPhoto', (params) => {
    storedUpload(host, params['file']);
    return { message_id: 3745390, chat: { id: 152, type: 'chat', title: 'Chat', admin_id: owner, users: [owner] } };
  });
  vk.reply('market.saveProductPhoto', (params) => {
    const reply = JSON.parse(params['upload_response'] ?? '{}') as { meta?: { token?: string } };
    storedUpload(host, reply.meta?.token);
    return { photo_id: 457239024 };
  });
  vk.reply('docs.save', (params) => {
    const [file] = storedUpload(host, params['file']);
    return {
      type: 'doc',
      doc: {
        id: 600001,
        owner_id: owner,
        title: params['title'] ?? file!.filename,
        size: file!.size,
        ext: 'dat',
        url: 'https://vk.com/doc',
        date: 1700000000,
        type: 8,
        access_key: 'd0c5ecre7',
      },
    };
  });
  vk.reply('stories.save', (params) => {
    storedUpload(host, params['upload_results']);
    return { count: 1, items: [{ id: 456239020, owner_id: owner, date: 1700000000, access_key: 'story' }] };
  });
  vk.reply('polls.savePhoto', (params) => {
    storedUpload(host, params['photo']);
    return { id: 5, color: 'ffffff', images: [] };
  });
  vk.reply('photos.saveOwnerCoverPhoto', (params) => {
    storedUpload(host, params['photo']);
    return { images: [{ url: 'https://sun9-1.userapi.com/c.jpg', width: 1590, height: 400 }] };
  });
  const widgetSave = (params: Record<string, string>) => {
    storedUpload(host, params['image']);
    return { id: '-1_5', type: params['image_type'] ?? '510x128', images: [] };
  };
  vk.reply('appWidgets.saveAppImage', widgetSave);
  vk.reply('appWidgets.saveGroupImage', widgetSave);
  vk.reply('video.saveUploadedThumb', (params) => {
    const reply = JSON.parse(params['thumb_json'] ?? '{}') as { token?: string };
    storedUpload(host, reply.token);
    return { photo_id: 1, video_id: params['video_id'] };
  });
}
