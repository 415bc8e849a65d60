// `api.upload`: one method per kind of upload, each handing its kind to the flow
// (upload-flow.ts) and returning the typed result of the kind's save method.

import type { UploadKind } from './kinds.js';
import { runUpload, type UploadSession } from './upload-flow.js';
import type { UploadOptions, UploadParams, UploadResult } from './upload-types.js';

/**
 * File uploads of a session (`api.upload`): each method gets the upload URL, POSTs
 * the file there as it reads it, and saves it, returning what the save method
 * returns. The API calls go through the session's rate limit, retries and checks;
 * the POST through its dispatcher and proxy, without the token.
 *
 * @typeParam X params every method of the session takes (CommunityAPI's `group_id`)
 */
export class Uploads<X extends object = {}> {
  readonly #session: UploadSession;

  /** @internal Made by the session's `upload` getter. */
  constructor(session: UploadSession) {
    this.#session = session;
  }

  /** A photo for a message (`photos.getMessagesUploadServer`, `photos.saveMessagesPhoto`). */
  messagePhoto(
    params: UploadParams<'messagePhoto', X>,
    options?: UploadOptions,
  ): Promise<UploadResult<'messagePhoto'>> {
    return this.#run('messagePhoto', params, options);
  }

  /** A photo for a wall post (`photos.getWallUploadServer`, `photos.saveWallPhoto`). */
  wallPhoto(params: UploadParams<'wallPhoto', X>, options?: UploadOptions): Promise<UploadResult<'wallPhoto'>> {
    return this.#run('wallPhoto', params, options);
  }

  /** Up to 5 photos into an album in one request (`photos.getUploadServer`, `photos.save`). */
  albumPhotos(params: UploadParams<'albumPhotos', X>, options?: UploadOptions): Promise<UploadResult<'albumPhotos'>> {
    return this.#run('albumPhotos', params, options);
  }

  /** The main photo of a user or, with a negative `owner_id`, of a community
   * (`photos.getOwnerPhotoUploadServer`, `photos.saveOwnerPhoto`). */
  ownerPhoto(params: UploadParams<'ownerPhoto', X>, options?: UploadOptions): Promise<UploadResult<'ownerPhoto'>> {
    return this.#run('ownerPhoto', params, options);
  }

  /** The photo of a chat (`photos.getChatUploadServer`, `messages.setChatPhoto`). */
  chatPhoto(params: UploadParams<'chatPhoto', X>, options?: UploadOptions): Promise<UploadResult<'chatPhoto'>> {
    return this.#run('chatPhoto', params, options);
  }

  /** A photo for a market product (`market.getProductPhotoUploadServer`,
   * `market.saveProductPhoto`); pass the `photo_id` to `market.add` / `market.edit`. */
  marketProductPhoto(
    params: UploadParams<'marketProductPhoto', X>,
    options?: UploadOptions,
  ): Promise<UploadResult<'marketProductPhoto'>> {
    return this.#run('marketProductPhoto', params, options);
  }

  /** The photo of a market collection (`photos.getMarketAlbumUploadServer`, `photos.saveMarketAlbumPhoto`). */
  marketAlbumPhoto(
    params: UploadParams<'marketAlbumPhoto', X>,
    options?: UploadOptions,
  ): Promise<UploadResult<'marketAlbumPhoto'>> {
    return this.#run('marketAlbumPhoto', params, options);
  }

  /** A document, voice message (`type: 'audio_message'`) or graffiti for a message
   * (`docs.getMessagesUploadServer`, `docs.save`). */
  messageDocument(
    params: UploadParams<'messageDocument', X>,
    options?: UploadOptions,
  ): Promise<UploadResult<'messageDocument'>> {
    return this.#run('messageDocument', params, options);
  }

  /** A document for a wall post (`docs.getWallUploadServer`, `docs.save`). */
  wallDocument(
    params: UploadParams<'wallDocument', X>,
    options?: UploadOptions,
  ): Promise<UploadResult<'wallDocument'>> {
    return this.#run('wallDocument', params, options);
  }

  /** A document into the documents of a user or community (`docs.getUploadServer`, `docs.save`). */
  document(params: UploadParams<'document', X>, options?: UploadOptions): Promise<UploadResult<'document'>> {
    return this.#run('document', params, options);
  }

  /** A video: `video.save` first (which gives the upload URL and the video's ids), then the file. */
  video(params: UploadParams<'video', X>, options?: UploadOptions): Promise<UploadResult<'video'>> {
    return this.#run('video', params, options);
  }

  /** A story with a photo (`stories.getPhotoUploadServer`, `stories.save`). */
  storyPhoto(params: UploadParams<'storyPhoto', X>, options?: UploadOptions): Promise<UploadResult<'storyPhoto'>> {
    return this.#run('storyPhoto', params, options);
  }

  /** A story with a video (`stories.getVideoUploadServer`, `stories.save`). */
  storyVideo(params: UploadParams<'storyVideo', X>, options?: UploadOptions): Promise<UploadResult<'storyVideo'>> {
    return this.#run('storyVideo', params, options);
  }

  /** The background photo of a poll (`polls.getPhotoUploadServer`, `polls.savePhoto`). */
  pollBackground(
    params: UploadParams<'pollBackground', X>,
    options?: UploadOptions,
  ): Promise<UploadResult<'pollBackground'>> {
    return this.#run('pollBackground', params, options);
  }

  /** A community's cover (`photos.getOwnerCoverPhotoUploadServer`, `photos.saveOwnerCoverPhoto`). */
  groupCover(params: UploadParams<'groupCover', X>, options?: UploadOptions): Promise<UploadResult<'groupCover'>> {
    return this.#run('groupCover', params, options);
  }

  /** An image for an app's community widgets (`appWidgets.getAppImageUploadServer`, `appWidgets.saveAppImage`). */
  appImage(params: UploadParams<'appImage', X>, options?: UploadOptions): Promise<UploadResult<'appImage'>> {
    return this.#run('appImage', params, options);
  }

  /** An image for a community's widgets (`appWidgets.getGroupImageUploadServer`, `appWidgets.saveGroupImage`). */
  groupImage(params: UploadParams<'groupImage', X>, options?: UploadOptions): Promise<UploadResult<'groupImage'>> {
    return this.#run('groupImage', params, options);
  }

  /** A video's cover (`video.getThumbUploadUrl`, `video.saveUploadedThumb`). */
  videoThumb(params: UploadParams<'videoThumb', X>, options?: UploadOptions): Promise<UploadResult<'videoThumb'>> {
    return this.#run('videoThumb', params, options);
  }

  #run<K extends UploadKind>(
    kind: K,
    params: UploadParams<K, X>,
    options: UploadOptions = {},
  ): Promise<UploadResult<K>> {
    return runUpload(kind, params, options, this.#session) as Promise<UploadResult<K>>;
  }
}
