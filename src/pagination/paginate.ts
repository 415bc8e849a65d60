// Auto-pagination: `for await (const item of api.paginate('wall.get', params))`
// walks a method's `offset`/`count` pages (page-walk.ts decides which) and
// yields the items one by one. Pages come one call at a time, or, with
// `executePages`, up to 25 per `execute` request: the first page is always a
// plain call, which tells how long the list is, so every batch after it asks
// for pages that exist.

import { methodInfo, type MethodName, type PaginatedMethod } from '../../generated/methods.js';
import { encodeParams } from '../pipeline/encode-params.js';
import { VkError } from '../core/errors.js';
import { batchScript, maxCallsPerExecute } from '../pipeline/execute-script.js';
import type { CallOptions } from '../core/calls.js';
import type { ExecuteResult } from '../core/replies.js';
import type { MethodParams, SelectResponse } from '../core/method-types.js';
import { PageWalk, type PageRequest, type WalkPlan } from './page-walk.js';

export interface PaginateOptions extends CallOptions {
  /** Items per page (the `count` param). Default: the most the method returns per
   * call according to the schema, else 100. */
  pageSize?: number;
  /** Yield at most this many items (default: all). */
  limit?: number;
  /** The offset of the first item (default 0). */
  startOffset?: number;
  /** Fetch the pages after the first through `execute`, up to 25 per request:
   * `true` for 25, or the number of pages per request. One execute counts once
   * against the rate limit. Default `false`: one call per page. */
  executePages?: boolean | number;
}

/** The params of a paginated method, without `offset` and `count`, which `paginate` sets. */
export type PageParams<M extends PaginatedMethod> = Omit<MethodParams<M>, 'offset' | 'count'>;

/** The items of `M`'s pages when called with params `P` (e.g. users, not ids, when `fields` are asked for). */
export type PageItem<M extends PaginatedMethod, P> =
  SelectResponse<M, P> extends infer R ? (R extends { readonly items?: readonly (infer I)[] } ? I : never) : never;

/** How a walk reaches VK: through the session, with its checks and token. */
export interface PageSource {
  /** Fetches one page by a plain call (which checks its own params and response). */
  call(params: Record<string, unknown>, options: CallOptions): Promise<unknown>;
  /** Runs a script of page calls. */
  execute(code: string, options: CallOptions): Promise<ExecuteResult<unknown>>;
  /** The session's checks, for the pages fetched inside an execute. */
  checkParams(params: Record<string, unknown>): Promise<void>;
  checkResponse(params: Record<string, unknown>, response: unknown): Promise<void>;
}

const defaultPageSize = 100;

/** The items of every page of `method`, in order, each once. Bad options throw
 * here, before anything is fetched. */
export function paginate(
  method: string,
  params: object | undefined,
  options: PaginateOptions,
  source: PageSource,
): AsyncGenerator<unknown, void, undefined> {
  const { pageSize, limit, startOffset, executePages, ...callOptions } = options;
  const walk = new PageWalk(method, walkPlan(method, { pageSize, limit, startOffset }));
  return walkItems(method, fixedParams(method, params), walk, pagesPerRequest(executePages), callOptions, source);
}

async function* walkItems(
  method: string,
  fixed: Record<string, unknown>,
  walk: PageWalk,
  perRequest: number,
  callOptions: CallOptions,
  source: PageSource,
): AsyncGenerator<unknown, void, undefined> {
  const paramsOf = (request: PageRequest) => ({ ...fixed, offset: request.offset, count: request.count });
  // Items already fetched are not handed out after an abort.
  const handOut = function* (fresh: unknown[]) {
    for (const item of fresh) {
      callOptions.signal?.throwIfAborted();
      yield item;
    }
  };

  while (!walk.done) {
    const requests = walk.next(perRequest);
    if (requests.length === 0) return;
    if (requests.length === 1) {
      // A single page needs no execute around it.
      yield* handOut(walk.take(requests[0]!, await source.call(paramsOf(requests[0]!), callOptions)).items);
      continue;
    }
    const pages = requests.map(paramsOf);
    for (const page of pages) await source.checkParams(page);
    const encodings = methodInfo[method as MethodName].encode;
    const code = batchScript(pages.map((page) => ({ method, params: encodeParams(page, encodings) })));
    const { response, executeErrors } = await source.execute(code, callOptions);
    if (!Array.isArray(response) || response.length !== pages.length) {
      throw new VkError(`${method}: execute did not return the ${pages.length} pages it was asked for`);
    }
    // A page that failed inside the script is `false` there, with its error in
    // execute_errors, in script order; the pages before it are still yielded.
    const errors = executeErrors.values();
    for (const [index, result] of response.entries()) {
      if (result === false) {
        throw (
          errors.next().value ??
          new VkError(`${method}: the page at offset ${requests[index]!.offset} failed inside execute`)
        );
      }
      await source.checkResponse(pages[index]!, result);
      const { items, inStep } = walk.take(requests[index]!, result);
      yield* handOut(items);
      if (!inStep || walk.done) break;
    }
  }
}

function walkPlan(method: string, options: Pick<PaginateOptions, 'pageSize' | 'limit' | 'startOffset'>): WalkPlan {
  const bounds = Object.hasOwn(methodInfo, method) ? methodInfo[method as MethodName].page : undefined;
  if (!bounds) {
    throw new TypeError(
      `${method} cannot be paginated: it has no offset and count params, or its response is not { count, items }`,
    );
  }
  const minCount = Math.max(1, bounds.minCount ?? 1);
  const maxCount = bounds.maxCount ?? Infinity;
  const pageSize = options.pageSize ?? bounds.maxCount ?? defaultPageSize;
  if (!(Number.isSafeInteger(pageSize) && pageSize >= minCount && pageSize <= maxCount)) {
    const range = maxCount === Infinity ? `an integer from ${minCount}` : `an integer from ${minCount} to ${maxCount}`;
    throw new RangeError(`pageSize for ${method} must be ${range}, got ${pageSize}`);
  }
  const limit = options.limit ?? Infinity;
  if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit >= 0))) {
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  }
  const maxOffset = bounds.maxOffset ?? Infinity;
  const startOffset = options.startOffset ?? 0;
  if (!(Number.isSafeInteger(startOffset) && startOffset >= 0 && startOffset <= maxOffset)) {
    const range = maxOffset === Infinity ? 'a non-negative integer' : `an integer from 0 to ${maxOffset}`;
    throw new RangeError(`startOffset for ${method} must be ${range}, got ${startOffset}`);
  }
  return { pageSize, minCount, limit, startOffset, maxOffset };
}

function pagesPerRequest(executePages: PaginateOptions['executePages']): number {
  if (executePages === undefined || executePages === false) return 1;
  if (executePages === true) return maxCallsPerExecute;
  if (!(Number.isSafeInteger(executePages) && executePages >= 1 && executePages <= maxCallsPerExecute)) {
    throw new RangeError(
      `executePages must be a boolean or an integer from 1 to ${maxCallsPerExecute}, got ${executePages}`,
    );
  }
  return executePages;
}

/** The caller's params, which every page repeats; `offset` and `count` are the walk's. */
function fixedParams(method: string, params: object | undefined): Record<string, unknown> {
  const fixed = { ...params } as Record<string, unknown>;
  for (const name of ['offset', 'count']) {
    if (fixed[name] !== undefined) {
      throw new TypeError(`paginate sets ${method}'s ${name} itself: use the startOffset and pageSize options`);
    }
  }
  return fixed;
}
