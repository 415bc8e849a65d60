// The entry of `vk-typed/redis`: a rate limit store shared by processes through Redis.
// Apart from the package root, so that importing `vk-typed` never needs `redis`; and
// `redis` itself is loaded only when a store makes its own client from a URL.

export { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-rate-limit-store.js';
export { RateLimitStoreError } from './store-error.js';
export type { RedisStoreStatus } from './redis-connection.js';
export type { RedisScriptClient } from './window-scripts.js';
export type { RateLimitAcquireOptions, RateLimitGrant, RateLimitStore } from '../pipeline/rate-limit-store.js';
