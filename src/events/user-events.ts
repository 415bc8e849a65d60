// The User Long Poll API's events arrive as arrays, `[code, field, field, ...]`; here
// each becomes an object named and typed by its code, as VK documents them for
// long poll version 3 (https://dev.vk.com/ru/api/user-long-poll/getting-started).
// Trailing fields VK leaves out are left out. An event of a code the SDK does not
// know comes through as an `UnknownUserEvent` with its array, never dropped.

import type { MessagesMessage } from '../../generated/types/messages.js';

interface UserEventOf<T extends string, C extends number> {
  readonly type: T;
  /** VK's event code. */
  readonly code: C;
  /** The event as VK sent it. */
  readonly raw: readonly unknown[];
}

/** The fields that follow a message's id and flags (events 1 to 5); most come with
 * event 4, the others often bring only `peer_id`. */
export interface UserMessageFields {
  /** The conversation: a user id, 2000000000 + a chat id, or -community id. */
  peer_id?: number;
  /** When the message was sent, in Unixtime. */
  timestamp?: number;
  text?: string;
  /** `title`, `from` (the author in a chat), `emoji`, `payload`, `source_act`, ... */
  extra?: Readonly<Record<string, unknown>>;
  /** `attach1_type`, `attach1`, `fwd`, `geo`, ... (with `mode` 2). */
  attachments?: Readonly<Record<string, unknown>>;
  random_id?: number;
  conversation_message_id?: number;
  edit_time?: number;
  /** The whole message, for events that came from `messages.getLongPollHistory`
   * (which sends messages beside the events). */
  message?: MessagesMessage;
}

interface WithMessageId extends UserMessageFields {
  message_id: number;
}

/** Flags of message `message_id` replaced (`FLAGS := flags`). */
export interface UserMessageFlagsReplaceEvent extends UserEventOf<'message_flags_replace', 1>, WithMessageId {
  flags: number;
}
/** Flags of a message set (`FLAGS |= mask`). */
export interface UserMessageFlagsSetEvent extends UserEventOf<'message_flags_set', 2>, WithMessageId {
  mask: number;
}
/** Flags of a message reset (`FLAGS &= ~mask`). */
export interface UserMessageFlagsResetEvent extends UserEventOf<'message_flags_reset', 3>, WithMessageId {
  mask: number;
}
/** A new message. */
export interface UserMessageNewEvent extends UserEventOf<'message_new', 4>, WithMessageId {
  flags: number;
}
/** A message edited. */
export interface UserMessageEditEvent extends UserEventOf<'message_edit', 5>, WithMessageId {
  mask: number;
}
/** Incoming messages of `peer_id` up to `local_id` read. */
export interface UserReadIncomingEvent extends UserEventOf<'read_incoming', 6> {
  peer_id: number;
  local_id: number;
}
/** Outgoing messages of `peer_id` up to `local_id` read. */
export interface UserReadOutgoingEvent extends UserEventOf<'read_outgoing', 7> {
  peer_id: number;
  local_id: number;
}
/** A friend came online; the low byte of `extra` is the platform (with `mode` 64). */
export interface UserFriendOnlineEvent extends UserEventOf<'friend_online', 8> {
  /** The friend (VK sends it negated; here it is positive). */
  user_id: number;
  extra?: number;
  timestamp?: number;
}
/** A friend went offline: `flags` 0 left the site, 1 timed out. */
export interface UserFriendOfflineEvent extends UserEventOf<'friend_offline', 9> {
  /** The friend (VK sends it negated; here it is positive). */
  user_id: number;
  flags?: number;
  timestamp?: number;
}
/** Flags of conversation `peer_id` reset (community conversations). */
export interface UserPeerFlagsResetEvent extends UserEventOf<'peer_flags_reset', 10> {
  peer_id: number;
  mask: number;
}
/** Flags of a conversation replaced (community conversations). */
export interface UserPeerFlagsReplaceEvent extends UserEventOf<'peer_flags_replace', 11> {
  peer_id: number;
  flags: number;
}
/** Flags of a conversation set (community conversations). */
export interface UserPeerFlagsSetEvent extends UserEventOf<'peer_flags_set', 12> {
  peer_id: number;
  mask: number;
}
/** Messages of `peer_id` up to `local_id` deleted. */
export interface UserPeerMessagesDeletedEvent extends UserEventOf<'peer_messages_deleted', 13> {
  peer_id: number;
  local_id: number;
}
/** Recently deleted messages of `peer_id` up to `local_id` restored. */
export interface UserPeerMessagesRestoredEvent extends UserEventOf<'peer_messages_restored', 14> {
  peer_id: number;
  local_id: number;
}
/** A chat's members or title changed; `self` 1 when by the user. */
export interface UserChatEditEvent extends UserEventOf<'chat_edit', 51> {
  chat_id: number;
  self: number;
}
/** A chat's information changed (`type_id`: 1 title, 2 photo, 3 new admin, 5 pin, 6 joined, 7 left, 8 kicked, 9 admin removed...). */
export interface UserChatInfoEditEvent extends UserEventOf<'chat_info_edit', 52> {
  type_id: number;
  peer_id: number;
  info: unknown;
}
/** A user is typing in a dialog. */
export interface UserTypingEvent extends UserEventOf<'user_typing', 61> {
  user_id: number;
  flags: number;
}
/** A user is typing in chat `chat_id`. */
export interface UserChatTypingEvent extends UserEventOf<'chat_user_typing', 62> {
  user_id: number;
  chat_id: number;
}
/** Users are typing in conversation `peer_id`. */
export interface UserUsersTypingEvent extends UserEventOf<'users_typing', 63> {
  peer_id: number;
  user_ids: readonly number[];
  total_count: number;
  ts: number;
}
/** Users are recording a voice message in conversation `peer_id`. */
export interface UserUsersRecordingAudioEvent extends UserEventOf<'users_recording_audio', 64> {
  peer_id: number;
  user_ids: readonly number[];
  total_count: number;
  ts: number;
}
/** A user made call `call_id`. */
export interface UserCallEvent extends UserEventOf<'user_call', 70> {
  user_id: number;
  call_id: unknown;
}
/** The unread counter of the left menu is `count`. */
export interface UserUnreadCountEvent extends UserEventOf<'unread_count', 80> {
  count: number;
}
/** Notification settings of a conversation changed. */
export interface UserNotificationSettingsEvent extends UserEventOf<'notification_settings', 114> {
  settings: { readonly peer_id?: number; readonly sound?: number; readonly disabled_until?: number };
}

/** Each User Long Poll event the SDK knows, by name. */
export interface UserEventMap {
  message_flags_replace: UserMessageFlagsReplaceEvent;
  message_flags_set: UserMessageFlagsSetEvent;
  message_flags_reset: UserMessageFlagsResetEvent;
  message_new: UserMessageNewEvent;
  message_edit: UserMessageEditEvent;
  read_incoming: UserReadIncomingEvent;
  read_outgoing: UserReadOutgoingEvent;
  friend_online: UserFriendOnlineEvent;
  friend_offline: UserFriendOfflineEvent;
  peer_flags_reset: UserPeerFlagsResetEvent;
  peer_flags_replace: UserPeerFlagsReplaceEvent;
  peer_flags_set: UserPeerFlagsSetEvent;
  peer_messages_deleted: UserPeerMessagesDeletedEvent;
  peer_messages_restored: UserPeerMessagesRestoredEvent;
  chat_edit: UserChatEditEvent;
  chat_info_edit: UserChatInfoEditEvent;
  user_typing: UserTypingEvent;
  chat_user_typing: UserChatTypingEvent;
  users_typing: UserUsersTypingEvent;
  users_recording_audio: UserUsersRecordingAudioEvent;
  user_call: UserCallEvent;
  unread_count: UserUnreadCountEvent;
  notification_settings: UserNotificationSettingsEvent;
}

export type UserEventType = keyof UserEventMap;
export type KnownUserEvent = UserEventMap[UserEventType];

/** The `type` of an event of a code the SDK does not know: `unknown_<code>`. */
export type UnknownUserEventType = `unknown_${number}`;

/** An event of a code the SDK does not know yet, with its array as VK sent it. */
export interface UnknownUserEvent {
  readonly type: UnknownUserEventType;
  readonly code: number;
  readonly raw: readonly unknown[];
}

/** A User Long Poll event. */
export type UserEvent = KnownUserEvent | UnknownUserEvent;

const messageFields = ['peer_id', 'timestamp', 'text', 'extra', 'attachments', 'random_id', 'conversation_message_id', 'edit_time'];

/** Code -> name and the names of the fields after the code, in order. */
const layouts: ReadonlyMap<number, readonly [UserEventType, readonly string[]]> = new Map<number, readonly [UserEventType, readonly string[]]>([
  [1, ['message_flags_replace', ['message_id', 'flags', ...messageFields]]],
  [2, ['message_flags_set', ['message_id', 'mask', ...messageFields]]],
  [3, ['message_flags_reset', ['message_id', 'mask', ...messageFields]]],
  [4, ['message_new', ['message_id', 'flags', ...messageFields]]],
  [5, ['message_edit', ['message_id', 'mask', ...messageFields]]],
  [6, ['read_incoming', ['peer_id', 'local_id']]],
  [7, ['read_outgoing', ['peer_id', 'local_id']]],
  [8, ['friend_online', ['user_id', 'extra', 'timestamp']]],
  [9, ['friend_offline', ['user_id', 'flags', 'timestamp']]],
  [10, ['peer_flags_reset', ['peer_id', 'mask']]],
  [11, ['peer_flags_replace', ['peer_id', 'flags']]],
  [12, ['peer_flags_set', ['peer_id', 'mask']]],
  [13, ['peer_messages_deleted', ['peer_id', 'local_id']]],
  [14, ['peer_messages_restored', ['peer_id', 'local_id']]],
  [51, ['chat_edit', ['chat_id', 'self']]],
  [52, ['chat_info_edit', ['type_id', 'peer_id', 'info']]],
  [61, ['user_typing', ['user_id', 'flags']]],
  [62, ['chat_user_typing', ['user_id', 'chat_id']]],
  [63, ['users_typing', ['peer_id', 'user_ids', 'total_count', 'ts']]],
  [64, ['users_recording_audio', ['peer_id', 'user_ids', 'total_count', 'ts']]],
  [70, ['user_call', ['user_id', 'call_id']]],
  [80, ['unread_count', ['count']]],
  [114, ['notification_settings', ['settings']]],
]);

/** The names of the events the SDK knows, to tell them at run time. */
export const userEventTypes: ReadonlySet<string> = new Set([...layouts.values()].map(([type]) => type));

/** The event, or undefined when `raw` is not one (not an array opening with an integer code). */
export function decodeUserEvent(raw: unknown): UserEvent | undefined {
  if (!Array.isArray(raw) || !Number.isSafeInteger(raw[0])) return undefined;
  const code = raw[0] as number;
  const layout = layouts.get(code);
  if (layout === undefined) return { type: `unknown_${code}`, code, raw };
  const [type, fields] = layout;
  const event: Record<string, unknown> = { type, code, raw };
  fields.forEach((field, index) => {
    const value: unknown = raw[index + 1];
    if (value !== undefined) event[field] = value;
  });
  // Events 8 and 9 carry the friend's id negated.
  if ((code === 8 || code === 9) && typeof event['user_id'] === 'number') event['user_id'] = Math.abs(event['user_id']);
  return event as unknown as UserEvent;
}
