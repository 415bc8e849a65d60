// Type tests of api.paginate(). Compiled by test/types/compile.test.ts: every
// `@ts-expect-error` line must fail. The item type follows the method and the
// params that select its response variant; only methods with offset/count
// pages are accepted, and the walk's own params are not the caller's.
import { API } from '../../src/index.js';
import type {
  AppWidgetsPhoto,
  BoardTopicComment,
  MessagesMessage,
  MethodResponse,
  PageItem,
  PaginatedMethod,
  UsersUserFull,
  WallWallItem,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): void;

const api = new API({ accessToken: 'token' });

export async function paginate(): Promise<void> {
  // friends.get: users with fields, ids without.
  for await (const friend of api.paginate('friends.get', { fields: ['city'] })) {
    assertType<Equal<typeof friend, UsersUserFull>>();
  }
  for await (const id of api.paginate('friends.get', {})) assertType<Equal<typeof id, number>>();
  for await (const id of api.paginate('friends.get')) assertType<Equal<typeof id, number>>();
  assertType<Equal<PageItem<'friends.get', { fields: ['city'] }>, UsersUserFull>>();

  // wall.get: posts, with or without extended.
  for await (const post of api.paginate('wall.get', { owner_id: -1, extended: true }, { executePages: true })) {
    assertType<Equal<typeof post, WallWallItem>>();
  }
  // Required params stay required.
  for await (const comment of api.paginate('board.getComments', { group_id: 1, topic_id: 2 }, { limit: 10 })) {
    assertType<Equal<typeof comment, BoardTopicComment>>();
  }
  for await (const message of api.paginate('messages.getHistory', { peer_id: 1 })) {
    assertType<Equal<typeof message, MessagesMessage>>();
  }
  // @ts-expect-error board.getComments needs group_id and topic_id
  api.paginate('board.getComments');
  // @ts-expect-error board.getComments needs topic_id too
  api.paginate('board.getComments', { group_id: 1 });

  // @ts-expect-error users.get has no offset/count pages
  api.paginate('users.get', { user_ids: [1] });
  // @ts-expect-error messages.getHistoryAttachments pages by cursor, not { count, items }
  api.paginate('messages.getHistoryAttachments', { peer_id: 1 });
  // @ts-expect-error offset is the walk's: use startOffset
  api.paginate('wall.get', { offset: 10 });
  // @ts-expect-error count is the walk's: use pageSize
  api.paginate('wall.get', { count: 10 });
  // @ts-expect-error misspelled param
  api.paginate('wall.get', { ownr_id: 1 });
  // @ts-expect-error wall.get filter is an enum
  api.paginate('wall.get', { filter: 'everything' });
  // @ts-expect-error pageSize is a number
  api.paginate('wall.get', {}, { pageSize: '100' });
  // @ts-expect-error executePages is a boolean or a number of pages
  api.paginate('wall.get', {}, { executePages: 'yes' });

  // The generated list holds only methods whose every response is a { count, items } page.
  type NotPaged = {
    [M in PaginatedMethod]: 'count' | 'items' extends keyof MethodResponse<M>
      ? NonNullable<MethodResponse<M>['items']> extends readonly unknown[]
        ? never
        : M
      : M;
  }[PaginatedMethod];
  assertType<Equal<NotPaged, never>>();
  // Two schemas leave count and items optional: the items are still typed.
  for await (const image of api.paginate('appWidgets.getAppImages', { image_type: '160x160' })) {
    assertType<Equal<typeof image, AppWidgetsPhoto>>();
  }
}
