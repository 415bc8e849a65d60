// Type tests of the schema corrections (schema/corrections/): what VK sends and the
// schema lacked is typed, what VK leaves out is optional, and strictness stays where
// VK is strict. Compiled by test/types/compile.test.ts: every `@ts-expect-error` line must fail.
import { API } from '../../src/index.js';
import type { MessagesMessageAttachment, PhotosPhoto, PrettyCardsPrettyCard, WallWallpost, WallWallComment } from '../../src/index.js';

const api = new API({ accessToken: 'token' });

export async function corrections(): Promise<void> {
  // users_fields has country, and users carry it.
  const [user] = await api.users.get({ user_ids: [1], fields: ['country', 'city'] });
  const country: string | undefined = user?.country?.title;
  const countryId: number | undefined = user?.country?.id;

  // Message attachments carry what their type says.
  const attachment = {} as MessagesMessageAttachment;
  const videoId: number | undefined = attachment.video?.id;
  const linkUrl: string | undefined = attachment.link?.url;
  const wallText: string | undefined = attachment.wall?.text;
  const articleTitle: string | undefined = attachment.article?.title;

  // The page cursors of newsfeed.get and wall.get.
  const feed = await api.newsfeed.get({ filters: ['post'] });
  const nextFeedPage: string | undefined = feed.next_from;
  const wall = await api.wall.get({ owner_id: 1 });
  const nextWallPage: string | undefined = wall.next_from;

  // Posts without inner_type, deleted comments without from_id and text compile.
  const post: WallWallpost = { id: 1, owner_id: 1 };
  const deleted: WallWallComment = { id: 2, date: 1_700_000_000, deleted: true };

  // Photos carry their original size and web view token.
  const photo = {} as PhotosPhoto;
  const originalUrl: string | undefined = photo.orig_photo?.url;
  const originalWidth: number | undefined = photo.orig_photo?.width;
  const webViewToken: string | undefined = photo.web_view_token;

  // A card's button is its key string or a link button: the union of the schema's oneOf.
  const keyButton: PrettyCardsPrettyCard['button'] = 'call';
  const linkButton: PrettyCardsPrettyCard['button'] = { title: 'Open' };
  const cards = await api.prettyCards.get({ owner_id: -1 });
  const button = cards.items[0]?.button;
  const buttonTitle: string | undefined = typeof button === 'object' ? button.title : undefined;

  // Strictness stays: a misspelt field value, a misspelt param, a field VK does not send.
  // @ts-expect-error not a users field
  await api.users.get({ user_ids: [1], fields: ['citi'] });
  // @ts-expect-error misspelt param
  await api.users.get({ user_idz: [1] });
  // @ts-expect-error not a property of a country
  user?.country?.name;
  // @ts-expect-error the cursor is a string
  const page: number | undefined = feed.next_from;
  // @ts-expect-error the original size is a size object, not a URL
  const originalAsUrl: string | undefined = photo.orig_photo;
  // @ts-expect-error a button is a string or an object, never a number
  const numberButton: PrettyCardsPrettyCard['button'] = 1;

  return void [
    country, countryId, videoId, linkUrl, wallText, articleTitle, nextFeedPage, nextWallPage, post, deleted,
    originalUrl, originalWidth, webViewToken, keyButton, linkButton, buttonTitle, page, originalAsUrl, numberButton,
  ];
}
