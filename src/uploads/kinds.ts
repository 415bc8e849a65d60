// What VK's schema does not say about uploads, as data: for each kind of upload,
// the method that gives its upload URL, the form field the file goes in, and which
// params of the save method come out of the upload host's reply. Which save method
// pairs with the upload-server method, and every other param, come from the schema
// (pairs.ts, and the generated params of both methods). Each entry says where its
// facts come from: VK's upload guides, dev.vk.com/en/api/upload/<page>, and the older
// vk.com/dev/upload_files and upload_files_2 (sections by number).

import type { MethodName } from '../../generated/methods.js';

export interface UploadKindSpec {
  /** The method that returns the upload URL: the first step. */
  readonly server: MethodName;
  /** The form field of the file. With `maxFiles` above 1 the fields are numbered:
   * `file1`..`file5`. */
  readonly field: string;
  /** How many files one request may carry (default 1). */
  readonly maxFiles?: number;
  /** The save method's params filled from the upload host's reply: param -> where in
   * the reply (a dotted path; `*` is the reply's whole text, as the host sent it).
   * Absent when the upload ends the work (video: `video.save` was the first step). */
  readonly fromReply?: Readonly<Record<string, string>>;
  /** Params of either method a caller may not set here, each with why. */
  readonly withheld?: Readonly<Record<string, string>>;
  /** The file name sent when the source has none: VK's hosts take the type from it. */
  readonly defaultFilename: string;
  /** Where the field name and the reply's shape come from. */
  readonly evidence: string;
}

const photoReply = { server: 'server', photo: 'photo', hash: 'hash' } as const;
const docReply = { file: 'file' } as const;
const storyReply = { upload_results: 'response.upload_result' } as const;
const storyWithheld = { upload_results_json: 'the upload fills upload_results; the two are alternatives' } as const;
const widgetReply = { image: 'image', hash: 'hash' } as const;
const widgetEvidence =
  'images of community app widgets: field image; reply {image, hash} (as vksdk sends and reads them)';
const docsEvidence =
  'document-in-profile (for docs.getUploadServer, getWallUploadServer and getMessagesUploadServer): field file; reply {file}';

/** Every kind `api.upload` offers, keyed by its method name there. */
export const uploadKinds = {
  messagePhoto: {
    server: 'photos.getMessagesUploadServer',
    field: 'photo',
    fromReply: photoReply,
    defaultFilename: 'photo.jpg',
    evidence: 'upload_files #4, photos into a private message: field photo; reply {server, photo, hash}',
  },
  wallPhoto: {
    server: 'photos.getWallUploadServer',
    field: 'photo',
    fromReply: photoReply,
    defaultFilename: 'photo.jpg',
    evidence: 'upload_files #2, photos on a wall: field photo; reply {server, photo, hash}',
  },
  albumPhotos: {
    server: 'photos.getUploadServer',
    field: 'file',
    maxFiles: 5,
    // `aid` in the reply repeats the album_id the caller passes to both methods.
    fromReply: { server: 'server', photos_list: 'photos_list', hash: 'hash' },
    defaultFilename: 'photo.jpg',
    evidence:
      'upload_files #1, photos into an album: fields file1..file5, at most 5 a request; reply {server, photos_list, aid, hash}',
  },
  ownerPhoto: {
    server: 'photos.getOwnerPhotoUploadServer',
    field: 'photo',
    fromReply: photoReply,
    defaultFilename: 'photo.jpg',
    evidence: 'upload_files #3, a profile or community photo: field photo; reply {server, photo, hash}',
  },
  chatPhoto: {
    server: 'photos.getChatUploadServer',
    field: 'file',
    fromReply: { file: 'response' },
    defaultFilename: 'photo.jpg',
    evidence:
      'upload_files_2 #5, a chat photo: field file; reply {response: "<string>"}, which messages.setChatPhoto takes as file',
  },
  marketProductPhoto: {
    server: 'market.getProductPhotoUploadServer',
    field: 'file',
    fromReply: { upload_response: '*' },
    withheld: { bulk: 'bulk uploads are saved by market.saveProductPhotoBulk, with a reply of another shape' },
    defaultFilename: 'photo.jpg',
    evidence:
      'photo-in-market (market.saveProductPhoto: "upload_response: the reply got when uploading"): field file, as for the older market photos (upload_files_2 #6)',
  },
  marketAlbumPhoto: {
    server: 'photos.getMarketAlbumUploadServer',
    field: 'file',
    fromReply: photoReply,
    defaultFilename: 'photo.jpg',
    evidence: 'upload_files_2 #7, a market collection photo: field file; reply {server, photo, hash}',
  },
  messageDocument: {
    server: 'docs.getMessagesUploadServer',
    field: 'file',
    fromReply: docReply,
    defaultFilename: 'file.dat',
    evidence: docsEvidence,
  },
  wallDocument: {
    server: 'docs.getWallUploadServer',
    field: 'file',
    fromReply: docReply,
    defaultFilename: 'file.dat',
    evidence: docsEvidence,
  },
  document: {
    server: 'docs.getUploadServer',
    field: 'file',
    fromReply: docReply,
    defaultFilename: 'file.dat',
    evidence: docsEvidence,
  },
  video: {
    server: 'video.save',
    field: 'video_file',
    withheld: { link: 'a video on another site is not uploaded: call video.save({ link }) and request its upload_url' },
    defaultFilename: 'video.mp4',
    evidence:
      'video-in-profile: video.save gives upload_url; field video_file; reply {video_hash, size}, and no save step',
  },
  storyPhoto: {
    server: 'stories.getPhotoUploadServer',
    field: 'file',
    fromReply: storyReply,
    withheld: storyWithheld,
    defaultFilename: 'story.jpg',
    evidence:
      'story-in-profile: field file; reply {response: {upload_result}}, saved by stories.save({ upload_results })',
  },
  storyVideo: {
    server: 'stories.getVideoUploadServer',
    field: 'video_file',
    fromReply: storyReply,
    withheld: storyWithheld,
    defaultFilename: 'story.mp4',
    evidence: 'story-in-profile: field video_file; reply {response: {upload_result}}',
  },
  pollBackground: {
    server: 'polls.getPhotoUploadServer',
    field: 'photo',
    fromReply: { photo: 'photo', hash: 'hash' },
    defaultFilename: 'background.jpg',
    evidence: 'poll background: field photo; reply {photo, hash} (as vksdk and OpenIntegrations send it)',
  },
  groupCover: {
    server: 'photos.getOwnerCoverPhotoUploadServer',
    field: 'photo',
    fromReply: { photo: 'photo', hash: 'hash' },
    withheld: { response_json: 'the upload fills photo and hash; response_json is their alternative' },
    defaultFilename: 'cover.jpg',
    evidence: 'upload_files_2 #11, a community cover: field photo; reply {hash, photo}',
  },
  appImage: {
    server: 'appWidgets.getAppImageUploadServer',
    field: 'image',
    fromReply: widgetReply,
    defaultFilename: 'image.jpg',
    evidence: widgetEvidence,
  },
  groupImage: {
    server: 'appWidgets.getGroupImageUploadServer',
    field: 'image',
    fromReply: widgetReply,
    defaultFilename: 'image.jpg',
    evidence: widgetEvidence,
  },
  videoThumb: {
    server: 'video.getThumbUploadUrl',
    field: 'file',
    fromReply: { thumb_json: '*' },
    defaultFilename: 'thumb.jpg',
    evidence:
      "a video cover: field file; the whole reply is video.saveUploadedThumb's thumb_json (the schema: a JSON string)",
  },
} as const satisfies Record<string, UploadKindSpec>;

export type UploadKind = keyof typeof uploadKinds;

/**
 * Upload-server methods the schema pairs with no save method by name, and the
 * method that saves what they upload, with why.
 */
export const saveMethodOverrides = {
  // In another section, under a verb of its own.
  'photos.getChatUploadServer': 'messages.setChatPhoto',
} as const satisfies Partial<Record<MethodName, MethodName>>;

/**
 * Upload-server methods with no save method, with why: what they upload is passed to
 * another method as a param, so there is nothing for `api.upload` to finish.
 */
export const unpairedUploadServers: Readonly<Partial<Record<MethodName, string>>> = {
  'ads.getUploadURL': "the host's reply (photo) goes into the ad's data of ads.createAds / ads.updateAds",
  'ads.getVideoUploadURL': "the host's reply (video) goes into the ad's data of ads.createAds / ads.updateAds",
  'leadForms.getUploadURL': "the host's reply (photo) is leadForms.create's photo param",
  'prettyCards.getUploadURL': "the host's reply (photo) is prettyCards.create's / edit's photo param",
  'bugtracker.getProductBuildUploadServer':
    "builds for VK's testers' bug tracker: the schema has no method that saves one",
};
