// Type tests of the events (src/events/, generated/events.ts): events narrowed by
// `type`, handlers typed per event, misspelt event names refused. Compiled by
// test/types/compile.test.ts: every `@ts-expect-error` line must fail.
import { API, CommunityAPI, UserAPI } from '../../src/index.js';
import { BotsLongPoll } from '../../src/events/bots-long-poll.js';
import { createCallbackHandler, nodeCallbackListener } from '../../src/events/callback-handler.js';
import { GroupEventRouter } from '../../src/events/event-router.js';
import { UserLongPoll } from '../../src/events/user-long-poll.js';
import type { GroupEvent, GroupEventType, MessageNewEvent, UnknownGroupEvent } from '../../generated/events.js';

const api = new API({ accessToken: 'token', tokenType: 'group' });
const poll = new BotsLongPoll(api, { groupId: 1 });

export async function iterate(): Promise<void> {
  for await (const event of poll) {
    event satisfies GroupEvent;
    event.group_id satisfies number;
    event.event_id satisfies string;
    if (event.type === 'message_new') {
      event satisfies MessageNewEvent;
      event.object.message.text satisfies string;
      event.object.message.peer_id satisfies number;
      event.object.client_info?.keyboard satisfies boolean | undefined;
      // @ts-expect-error a message_new object has no user_id (that is group_join's)
      void event.object.user_id;
    }
    switch (event.type) {
      case 'group_join':
        event.object.join_type satisfies 'join' | 'unsure' | 'accepted' | 'approved' | 'request';
        break;
      case 'like_add':
        event.object.liker_id satisfies number;
        break;
      case 'message_event':
        event.object.payload satisfies string;
        break;
      case 'wall_reply_delete':
        event.object.deleter_id satisfies number | undefined;
        break;
      case 'wall_schedule_post_new':
        event.object.schedule_time satisfies number;
        break;
      case 'market_comment_new':
        event.object.item_id satisfies number | undefined;
        break;
      default:
        break;
    }
    // @ts-expect-error a misspelt event name is a compile error, in comparisons too
    if (event.type === 'mesage_new') return;
  }
}

export function handlers(): void {
  poll.on('message_new', (event, signal) => {
    event.object.message.text satisfies string;
    signal satisfies AbortSignal;
  });
  poll.on('group_leave', (event) => {
    event.object.user_id satisfies number | undefined;
    // @ts-expect-error handlers are typed per event: group_leave carries no message
    void event.object.message;
  });
  poll.onUnknown((event) => {
    event satisfies UnknownGroupEvent;
    event.object satisfies unknown;
    event.type satisfies string;
  });
  // @ts-expect-error a misspelt event name is a compile error
  poll.on('mesage_new', () => {});
  // @ts-expect-error confirmation is answered by the callback handler, never delivered
  poll.on('confirmation', () => {});
  'donut_subscription_create' satisfies GroupEventType;
  'lead_forms_new' satisfies GroupEventType;
}

export function options(): void {
  // Every session class fits, whatever its token type.
  new BotsLongPoll(new CommunityAPI({ userLogin: 'login', userPassword: 'password', groupIds: [1] }), { groupId: 1 });
  new UserLongPoll(new UserAPI({ userLogin: 'login', userPassword: 'password', scope: ['messages'] }));
  // @ts-expect-error a session, not its options
  new UserLongPoll({ accessToken: 'token' });
  // @ts-expect-error the option is groupId
  new BotsLongPoll(api, { groupID: 1 });
  // @ts-expect-error wait is in seconds, a number
  new BotsLongPoll(api, { groupId: 1, wait: '25' });
  new UserLongPoll(api, { mode: 2, catchUp: false });
}

export function callback(): void {
  const handle = createCallbackHandler({
    confirmation: 'abc',
    secret: 'secret',
    onEvent: (event) => {
      if (event.type === 'message_reply') event.object.text satisfies string;
    },
  });
  handle satisfies (request: Request) => Promise<Response>;
  const router = new GroupEventRouter().on('photo_new', (event) => void event.object.id);
  nodeCallbackListener({ api, groupId: 1, onEvent: (event, signal) => router.dispatch(event, signal) });
  // @ts-expect-error the confirmation string, or api and groupId to fetch it
  createCallbackHandler({ onEvent: () => {} });
  // @ts-expect-error with api, the groupId whose confirmation string to fetch
  createCallbackHandler({ api, onEvent: () => {} });
}

export async function user(): Promise<void> {
  const userPoll = new UserLongPoll(api);
  userPoll.on('message_new', (event) => {
    event.flags satisfies number;
    event.text satisfies string | undefined;
    event.message?.text satisfies string | undefined;
  });
  userPoll.on('friend_online', (event) => void (event.user_id satisfies number));
  // @ts-expect-error a misspelt event name is a compile error
  userPoll.on('mesage_new', () => {});
  for await (const event of userPoll) {
    if (event.type === 'users_typing') event.user_ids satisfies readonly number[];
    // @ts-expect-error no such event
    if (event.type === 'message_neww') return;
  }
}
