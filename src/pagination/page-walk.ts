// The offsets of a paginated walk, apart from how pages are fetched: which
// pages to ask for next, and what a page that came back means for the walk.
//
// VK pages by position (`offset`), and lists change while they are walked.
// Every page says how long the list is now (`count`):
// - When the list shrank by d since the previous page, the items not yet read
//   may have moved up by up to d, past the page's offset: the next page starts
//   d items before this one, so none of them is skipped.
// - When the list grew, items moved down and would come again.
// Either way an item already yielded is dropped, by its id (with its owner,
// author or peer, which `id` alone does not make unique) or, for items without
// one, by its JSON. Repeats can only be of recent items, so only the keys of
// the last two pages, plus as many as the list has grown or shrunk by, are
// kept: a walk over millions of items holds a few pages' worth. Stepping back is limited to the length of the list at the
// first page in all, so a count that rises and falls (VK's search counts are
// estimates) cannot hold the walk in place; past that, and for items that
// change places (a re-sorted list), an offset walk can miss items.
//
// A walk is bounded by `count`, which the server sets: a server that answers every
// offset with the same items and a `count` of 10^9 would hold the walk for ten
// million pages. So pages that bring nothing new are bounded too: a few in a row
// while `count` stays put (or moves by less than the page), and a few dozen in all
// where `count` moved by a page or more (the list really churning makes pages
// repeat, but no list churns a page per call for long). Past either, the walk ends
// with an error rather than quietly, since what was yielded may not be the whole list.

import { VkError } from '../core/errors.js';

export interface WalkPlan {
  /** The `count` param of a full page. */
  readonly pageSize: number;
  /** The fewest items one call may ask for (the schema's minimum of `count`). */
  readonly minCount: number;
  /** Yield no more items than this. */
  readonly limit: number;
  readonly startOffset: number;
  /** The highest offset the method accepts. */
  readonly maxOffset: number;
}

/** One page to fetch: the `offset` and `count` params. */
export interface PageRequest {
  readonly offset: number;
  readonly count: number;
}

/** What a page gave the walk. */
export interface PageOutcome {
  /** Its items not yielded before, up to the limit. */
  readonly items: unknown[];
  /** False when the walk moved elsewhere: the pages fetched after this one in the same batch are not wanted. */
  readonly inStep: boolean;
}

/** Fields that tell apart items with the same `id` (posts of two walls, messages of two chats). */
const identityFields = ['id', 'owner_id', 'to_id', 'source_id', 'peer_id', 'from_id', 'type'] as const;

/** Pages in a row with nothing new, `count` not having moved by a page, after which the walk gives up. */
export const maxUnexplainedRepeats = 5;
/** Pages with nothing new, `count` having moved by a page or more, the walk takes in all. */
export const maxExplainedRepeats = 50;

export class PageWalk {
  readonly #plan: WalkPlan;
  readonly #method: string;
  #next: number;
  /** The list's length, as the latest page said. */
  #count: number | undefined;
  #yielded = 0;
  #ended = false;
  /** How far the walk may still step back, in items; set by the first page. */
  #stepBackBudget: number | undefined;
  /** Keys of the latest items yielded, oldest first (a Set keeps insertion order). */
  readonly #recent = new Set<unknown>();
  /** How many keys to keep: two pages, plus every item the list grew or shrank by. */
  #recentSize: number;
  /** Pages in a row whose items had all been yielded, `count` not having moved by a page. */
  #unexplainedRepeats = 0;
  /** Pages whose items had all been yielded, `count` having moved by a page or more. */
  #explainedRepeats = 0;

  constructor(method: string, plan: WalkPlan) {
    this.#method = method;
    this.#plan = plan;
    this.#next = plan.startOffset;
    this.#recentSize = 2 * plan.pageSize;
  }

  get done(): boolean {
    return (
      this.#ended ||
      this.#yielded >= this.#plan.limit ||
      this.#next > this.#plan.maxOffset ||
      (this.#count !== undefined && this.#next >= this.#count)
    );
  }

  /** The next pages to fetch, `max` at most; none once the walk is done. Before the
   * first page the length of the list is unknown, so only one page is planned. */
  next(max: number): PageRequest[] {
    if (this.done) return [];
    const pages: PageRequest[] = [];
    let offset = this.#next;
    let wanted = this.#plan.limit - this.#yielded;
    const end = Math.min(this.#count ?? Infinity, this.#plan.maxOffset + 1);
    while (pages.length < (this.#count === undefined ? 1 : max) && offset < end && wanted > 0) {
      const count = Math.max(this.#plan.minCount, Math.min(this.#plan.pageSize, wanted));
      pages.push({ offset, count });
      offset += count;
      wanted -= count;
    }
    return pages;
  }

  /** Takes the page VK answered `request` with. */
  take(request: PageRequest, page: unknown): PageOutcome {
    if (!isPage(page)) {
      throw new VkError(`${this.#method}: the reply at offset ${request.offset} is not a { count, items } page`);
    }
    // Two methods' schemas leave `count` out; without it the walk ends at an empty page.
    const shrunk = page.count === undefined || this.#count === undefined ? 0 : this.#count - page.count;
    const moved = Math.abs(shrunk);
    if (page.count !== undefined) {
      this.#recentSize += moved;
      this.#count = page.count;
      this.#stepBackBudget ??= page.count;
    }
    const items: unknown[] = [];
    for (const item of page.items) {
      if (this.#yielded + items.length >= this.#plan.limit) break;
      const key = itemKey(item);
      if (this.#recent.has(key)) continue;
      this.#recent.add(key);
      items.push(item);
    }
    this.#yielded += items.length;
    this.#checkProgress(
      request,
      items.length === 0 && page.items.length > 0 && this.#yielded < this.#plan.limit,
      moved >= page.items.length,
    );
    for (const oldest of this.#recent) {
      if (this.#recent.size <= this.#recentSize) break;
      this.#recent.delete(oldest);
    }
    const budget = this.#stepBackBudget ?? 0;
    const back = Math.min(shrunk, budget);
    if (back > 0) {
      this.#stepBackBudget = budget - back;
      this.#next = Math.max(this.#plan.startOffset, request.offset - back);
      return { items, inStep: false };
    }
    // An empty page ends the walk even if `count` says there is more (VK's counts
    // include items it does not show, e.g. deleted ones).
    if (page.items.length === 0) this.#ended = true;
    this.#next = request.offset + request.count;
    return { items, inStep: true };
  }

  /** Ends a walk that keeps getting pages of items it already yielded. */
  #checkProgress(request: PageRequest, repeated: boolean, explained: boolean): void {
    if (!repeated) this.#unexplainedRepeats = 0;
    else if (explained) this.#explainedRepeats += 1;
    else this.#unexplainedRepeats += 1;
    if (this.#unexplainedRepeats >= maxUnexplainedRepeats || this.#explainedRepeats > maxExplainedRepeats) {
      throw new VkError(
        `${this.#method}: the page at offset ${request.offset} is one of too many that brought only items already yielded (count: ${this.#count ?? 'none'}): the server repeats itself, so the walk stops`,
      );
    }
  }
}

function isPage(value: unknown): value is { count?: number; items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { count, items } = value as Record<string, unknown>;
  return (count === undefined || typeof count === 'number') && Array.isArray(items);
}

/** What makes an item the same item on another page. */
function itemKey(item: unknown): unknown {
  if (typeof item !== 'object' || item === null) return item;
  const record = item as Record<string, unknown>;
  if (record['id'] === undefined) return JSON.stringify(item);
  return JSON.stringify(identityFields.map((field) => record[field] ?? null));
}
