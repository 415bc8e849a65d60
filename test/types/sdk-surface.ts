// Type tests of the public surface. Compiled by test/types/compile.test.ts: the file
// must produce no diagnostics, so every `@ts-expect-error` line must fail.
import { API, ApiErrorCode } from '../../src/index.js';
import type {
  BaseBoolInt,
  GroupsGroupFull,
  MethodName,
  MethodParams,
  MethodResponse,
  UsersFields,
  UsersUserFull,
  WallWallpostFull,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): void;

const api = new API({ accessToken: 'token', v: '5.199', lang: 'en' });

export async function surface(): Promise<void> {
  // users.get: fields typed from the schema's enum, a user object back.
  const [durov] = await api.users.get({ user_ids: [1], fields: ['city', 'photo_100'] });
  // first_name is optional in the schema (users_user_min), so it may be undefined.
  const firstName: string | undefined = durov!.first_name;
  // @ts-expect-error misspelled param
  await api.users.get({ user_idz: [1] });
  // @ts-expect-error not a value of users_fields
  await api.users.get({ user_ids: [1], fields: ['citi'] });
  // @ts-expect-error user_ids is an array
  await api.users.get({ user_ids: 1 });
  // @ts-expect-error name_case is an enum of cases
  await api.users.get({ name_case: 'nominative' });
  // @ts-expect-error no such property on a user
  durov!.firstName;
  // @ts-expect-error no such method
  await api.users.gett({});
  // @ts-expect-error no such section
  await api.userz.get({});

  // wall.get: extended selects the response with profiles and groups.
  const wall = await api.wall.get({ domain: 'durov', extended: true });
  const profiles: UsersUserFull[] | undefined = wall.profiles;
  const groups: GroupsGroupFull[] | undefined = wall.groups;
  const posts: WallWallpostFull[] = wall.items;
  const plainWall = await api.wall.get({ domain: 'durov' });
  // @ts-expect-error without extended there are no profiles
  plainWall.profiles;
  // @ts-expect-error extended is a boolean flag
  await api.wall.get({ extended: 'yes' });
  // @ts-expect-error wall.get filter is an enum
  await api.wall.get({ filter: 'everything' });
  const maybeExtended = await api.wall.get({ extended: Math.random() > 0.5 });
  // @ts-expect-error with a flag unknown at compile time, profiles may be absent: it is a union
  maybeExtended.profiles;

  // friends.get: with fields, items are users; without, numbers.
  const friends = await api.friends.get({ fields: ['city'] });
  assertType<Equal<typeof friends.items, UsersUserFull[]>>();
  const ids = await api.friends.get({});
  assertType<Equal<typeof ids.items, number[]>>();
  const noParams = await api.friends.get();
  assertType<Equal<typeof noParams.items, number[]>>();
  // @ts-expect-error without fields the items are ids
  ids.items[0]!.first_name;
  // @ts-expect-error order is an enum
  await api.friends.get({ order: 'alphabet' });

  // messages.send: a number with peer_id, an array with peer_ids.
  const messageId: number = await api.messages.send({ peer_id: 1, message: 'hi', random_id: 1 });
  const sent = await api.messages.send({ peer_ids: [1, 2], message: 'hi', random_id: 2 });
  assertType<Equal<typeof sent, import('../../src/index.js').MessagesSendUserIdsResponse>>();
  // @ts-expect-error a single send is a number, not an array
  (await api.messages.send({ peer_id: 1, random_id: 3 })).length;
  // @ts-expect-error message is a string
  await api.messages.send({ peer_id: 1, message: 42 });
  // keyboard takes the object (sent as JSON) or a pre-encoded string
  await api.messages.send({ peer_id: 1, random_id: 4, keyboard: { one_time: true, buttons: [] } });
  await api.messages.send({ peer_id: 1, random_id: 5, keyboard: '{"buttons":[]}' });
  // @ts-expect-error keyboard buttons are rows of buttons
  await api.messages.send({ peer_id: 1, keyboard: { buttons: 'none' } });

  // groups.isMember: four outcomes.
  const member: BaseBoolInt = await api.groups.isMember({ group_id: 1, user_id: 2 });
  const members = await api.groups.isMember({ group_id: 1, user_ids: [2, 3] });
  assertType<Equal<(typeof members)[number]['user_id'], number>>();
  const extendedMember = await api.groups.isMember({ group_id: 1, user_id: 2, extended: true });
  const invitation: BaseBoolInt | undefined = extendedMember.invitation;
  const extendedMembers = await api.groups.isMember({ group_id: 1, user_ids: [2], extended: true });
  assertType<Equal<typeof extendedMembers, import('../../src/index.js').GroupsIsMemberUserIdsExtendedResponse>>();
  // @ts-expect-error group_id is required
  await api.groups.isMember({ user_id: 2 });
  // @ts-expect-error the plain outcome is 0 | 1
  const wrongMember: 'yes' = await api.groups.isMember({ group_id: 1, user_id: 2 });
  // @ts-expect-error the list outcome has no invitation (that needs extended)
  members[0]!.invitation;

  // secure.setCounter and video.addToAlbum.
  const counter: BaseBoolInt = await api.secure.setCounter({ user_id: 1, counter: 2 });
  const counters = await api.secure.setCounter({ counters: ['1:2'] });
  assertType<Equal<typeof counters, import('../../src/index.js').SecureSetCounterArrayResponse>>();
  const added: 1 = await api.video.addToAlbum({ owner_id: 1, video_id: 2, album_id: 3 });
  const addedMany: number[] = await api.video.addToAlbum({ owner_id: 1, video_id: 2, album_ids: [3, 4] });
  // @ts-expect-error video_id is required
  await api.video.addToAlbum({ owner_id: 1, album_id: 3 });
  // @ts-expect-error with album_ids the result is a list, not ok
  const notOk: 1 = await api.video.addToAlbum({ owner_id: 1, video_id: 2, album_ids: [3] });

  // groups.getMembers: filter=managers and fields select their responses.
  const managers = await api.groups.getMembers({ group_id: 1, filter: 'managers' });
  assertType<Equal<typeof managers, import('../../src/index.js').GroupsGetMembersFilterResponse>>();
  // @ts-expect-error not a filter
  await api.groups.getMembers({ group_id: 1, filter: 'admins' });

  // ads.getSuggestions: the section picks the response.
  const regions = await api.ads.getSuggestions({ section: 'regions', country: 1 });
  assertType<Equal<typeof regions, import('../../src/index.js').AdsGetSuggestionsRegionsResponse>>();
  // @ts-expect-error section is required
  await api.ads.getSuggestions({ q: 'x' });

  // value_object params take objects or owner_id_id strings.
  await api.wall.getById({ posts: ['1_2', { owner_id: -1, post_id: 3 }] });
  // @ts-expect-error post_id is part of the value object
  await api.wall.getById({ posts: [{ owner_id: -1 }] });
  // @ts-expect-error posts is required
  await api.wall.getById({});

  // A misspelled param next to correct ones is still an error.
  // @ts-expect-error misspelled
  await api.photos.get({ owner_id: 1, album_id: 'wall', rev: true, extendedd: true });
  // @ts-expect-error a method without params takes no unknown ones
  await api.utils.getServerTime({ foo: 1 });
  const serverTime: number = await api.utils.getServerTime();

  // call(): the same types by method name.
  const viaCall = await api.call('users.get', { user_ids: [1], fields: ['city'] });
  assertType<Equal<typeof viaCall, MethodResponse<'users.get'>>>();
  const wallViaCall = await api.call('wall.get', { owner_id: 1, extended: true });
  const wallProfiles: UsersUserFull[] | undefined = wallViaCall.profiles;
  const friendsViaCall = await api.call('friends.get', { fields: ['city'] });
  assertType<Equal<typeof friendsViaCall.items, UsersUserFull[]>>();
  const sendViaCall = await api.call('messages.send', { peer_ids: [1], random_id: 1 });
  assertType<Equal<typeof sendViaCall, import('../../src/index.js').MessagesSendUserIdsResponse>>();
  const timeViaCall: number = await api.call('utils.getServerTime');
  // Methods with required params through call(): the params are the method's own, not never.
  const byIdViaCall = await api.call('wall.getById', { posts: ['1_2'] });
  assertType<Equal<typeof byIdViaCall, import('../../src/index.js').WallGetByIdResponse>>();
  assertType<Equal<MethodParams<'wall.getById'>, import('../../src/index.js').WallGetByIdParams>>();
  // @ts-expect-error misspelled param through call()
  await api.call('users.get', { user_idz: [1] });
  // @ts-expect-error missing required param through call()
  await api.call('wall.getById', {});
  // @ts-expect-error wrong enum value through call()
  await api.call('users.get', { fields: ['citi'] });
  // @ts-expect-error a known method cannot be called untyped
  await api.call('users.get' as string as 'users.get', { anything: 1 });
  // The escape hatch: methods the schema lacks.
  const unknownResult: unknown = await api.call('newsection.brandNew', { x: 1 });

  // execute: hand-modelled, generic in its result, with the errors of the calls inside.
  const executed = await api.execute<{ count: number }>({ code: 'return {count: 1};' });
  const executedCount: number = executed.response.count;
  const failedInside: string | undefined = executed.executeErrors[0]?.method;
  // @ts-expect-error code is required
  await api.execute({ func_v: 1 });
  // An execute returns any JSON: unknown, until the caller says (api.execute<R>) or narrows it.
  const untypedExecute = await api.execute({ code: 'return [1, "a"];' });
  assertType<Equal<typeof untypedExecute.response, unknown>>();
  const executeViaCall = await api.call('execute', { code: 'return 1;' });
  assertType<Equal<typeof executeViaCall, unknown>>();
  assertType<Equal<MethodResponse<'execute'>, unknown>>();
  // @ts-expect-error unknown is not a record: a script's result is not indexed unchecked
  executeViaCall['count'];
  // The two ads methods whose response the schema leaves undescribed are unknown too.
  const deletedPixel = await api.ads.deleteTargetPixel({ account_id: 1, target_pixel_id: 2 });
  assertType<Equal<typeof deletedPixel, unknown>>();

  // Helper types.
  assertType<Equal<MethodParams<'users.get'>, import('../../src/index.js').UsersGetParams>>();
  assertType<Equal<MethodResponse<'users.get'>, import('../../src/index.js').UsersGetResponse>>();
  assertType<
    Equal<
      MethodResponse<'wall.get'>,
      import('../../src/index.js').WallGetResponse | import('../../src/index.js').WallGetExtendedResponse
    >
  >();
  assertType<Equal<MethodParams<'execute'>, import('../../src/index.js').ExecuteParams>>();
  assertType<Equal<Extract<MethodName, 'users.get' | 'execute' | 'messages.send'>, 'users.get' | 'execute' | 'messages.send'>>();
  const name: MethodName = 'wall.get';
  // @ts-expect-error not a method
  const notAName: MethodName = 'wall.gett';
  const params: MethodParams<'users.get'> = { user_ids: [1], fields: ['city'] satisfies UsersFields[] };
  // @ts-expect-error MethodParams is exact about names
  const badParams: MethodParams<'users.get'> = { user_idz: [1] };

  // Error codes from errors.json.
  const tooMany: 6 = ApiErrorCode.TooMany;
  // @ts-expect-error not an error name
  ApiErrorCode.NoSuchError;

  void [executedCount, failedInside, firstName, profiles, groups, posts, messageId, member, invitation, counter, added, addedMany, serverTime, wallProfiles, timeViaCall, unknownResult, name, params, tooMany, notAName, badParams, wrongMember, notOk];
}
