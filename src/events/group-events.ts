// A community event as VK sent it (a Bots Long Poll update, a Callback API request
// body) made into the typed `GroupEvent`. The one change: `message_new` always has
// the shape of API version 5.103 and later, `{ message, client_info }`; a long poll
// or callback server set to an older version sends the message itself, which is
// wrapped as `{ message }`, so that one type fits both.

import { groupEventTypes, type GroupEvent, type KnownGroupEvent } from '../../generated/events.js';

/** The event, or undefined when `raw` is not one (not an object with a string `type`).
 * An event of a type the SDK does not know comes back as it is: an `UnknownGroupEvent`. */
export function toGroupEvent(raw: unknown): GroupEvent | undefined {
  if (!isRecord(raw) || typeof raw['type'] !== 'string') return undefined;
  const object = raw['object'];
  if (raw['type'] === 'message_new' && isRecord(object) && !('message' in object)) {
    return { ...raw, object: { message: object } } as unknown as GroupEvent;
  }
  return raw as unknown as GroupEvent;
}

/** Whether the SDK knows the event's type (then its `object` is typed). */
export function isKnownGroupEvent(event: GroupEvent): event is KnownGroupEvent {
  return groupEventTypes.has(event.type);
}

/** The id VK gives the event to tell a repeat, when it gave one (API 5.103 and later). */
export function eventIdOf(event: GroupEvent): string | undefined {
  const id: unknown = event.event_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
