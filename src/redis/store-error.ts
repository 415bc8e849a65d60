// The error of a rate limit store that cannot reach Redis, or was closed.

import { VkError } from '../core/errors.js';

/** Redis could not be reached in time, or the store was closed. With
 * `whenUnavailable: 'fail'` calls fail with it; with the default (`'in-process'`)
 * it only goes to `onStatus`, and calls go on under each process's own limiter. */
export class RateLimitStoreError extends VkError {
  override name = 'RateLimitStoreError';

  constructor(reason: string, options?: ErrorOptions) {
    super(`Redis rate limit store: ${reason}`, options);
  }
}
