// Handlers by event type: `router.on('message_new', (event) => ...)`, each handler
// typed by its event. Events of a type the SDK does not know go to `onUnknown`.
// Handlers of an event run one after another, in the order they were added.

import { groupEventTypes, type GroupEventMap, type UnknownGroupEvent } from '../../generated/events.js';

/** A handler of one event. `signal` aborts when the poll stops (or the Callback API
 * request is gone): pass it on to the calls the handler makes. */
export type EventHandler<E> = (event: E, signal: AbortSignal) => unknown;

/** Handlers keyed by the `type` of the events of map `M`; `U` is the event of a type not in `M`. */
export class EventRouter<M extends { [T in keyof M]: { type: T } }, U> {
  readonly #known: ReadonlySet<string>;
  readonly #handlers = new Map<string, EventHandler<never>[]>();
  readonly #unknown: EventHandler<U>[] = [];

  /** @param known the event types of `M`, to tell them at run time */
  constructor(known: ReadonlySet<string>) {
    this.#known = known;
  }

  /** Runs `handler` for every event of `type`. */
  on<T extends keyof M & string>(type: T, handler: EventHandler<M[T]>): this {
    checkHandler(handler);
    if (!this.#known.has(type)) throw new TypeError(`"${String(type)}" is no event type the SDK knows (onUnknown() takes the others)`);
    const list = this.#handlers.get(type) ?? [];
    list.push(handler as EventHandler<never>);
    this.#handlers.set(type, list);
    return this;
  }

  /** Runs `handler` for every event of a type the SDK does not know yet. */
  onUnknown(handler: EventHandler<U>): this {
    checkHandler(handler);
    this.#unknown.push(handler);
    return this;
  }

  /** Runs the handlers of `event`, one after another; rejects with the first one's failure. */
  async dispatch(event: M[keyof M] | U, signal: AbortSignal): Promise<void> {
    const type = (event as { type: string }).type;
    const handlers = (this.#known.has(type) ? this.#handlers.get(type) : this.#unknown) ?? [];
    for (const handler of handlers as EventHandler<typeof event>[]) await handler(event, signal);
  }
}

/** Handlers of community events (Callback API, Bots Long Poll): pass `dispatch` as a
 * callback handler's `onEvent` to route Callback API events by type. */
export class GroupEventRouter extends EventRouter<GroupEventMap, UnknownGroupEvent> {
  constructor() {
    super(groupEventTypes);
  }
}

function checkHandler(handler: unknown): void {
  if (typeof handler !== 'function') throw new TypeError('an event handler must be a function');
}
