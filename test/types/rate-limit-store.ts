// Type tests of token pools and rate limit stores: a pool is an `API` option only
// (sessions that log in or hold community tokens take no pool), its report is typed,
// and a node-redis client fits `RedisRateLimitStore` as it is. Compiled by
// test/types/compile.test.ts: every `@ts-expect-error` line must fail.
import { createClient } from 'redis';
import { API, CommunityAPI, UserAPI } from '../../src/index.js';
import { RedisRateLimitStore, type RateLimitStore } from '../../src/redis/index.js';

const store: RateLimitStore = new RedisRateLimitStore({ url: 'redis://127.0.0.1:6379' });
const own = new RedisRateLimitStore({ client: createClient() });

const pooled = new API({
  accessToken: ['token-1', 'token-2'],
  tokenType: 'group',
  rateLimitStore: store,
  onTokenRejected: (rejection) => {
    const place: number = rejection.index;
    const code: number = rejection.error.code;
    return [place, code, rejection.remaining, rejection.token.length];
  },
});
pooled.messages.send({ peer_id: 1, message: 'hi' });
new API({ accessToken: 'one token', rateLimitStore: own });

// @ts-expect-error a pool's tokens are strings
new API({ accessToken: ['token-1', 2] });
// @ts-expect-error UserAPI's stored token is one token
new UserAPI({ accessToken: ['token-1', 'token-2'] });
// @ts-expect-error CommunityAPI holds a token per group, not a pool
new CommunityAPI({ groupIds: [1], accessToken: ['token-1'] });
new CommunityAPI({ groupIds: [1], groupTokens: { 1: 'token' }, rateLimitStore: store });
// @ts-expect-error a URL or a client, not both
new RedisRateLimitStore({ url: 'redis://127.0.0.1', client: createClient() });
// @ts-expect-error a URL or a client is needed
new RedisRateLimitStore({ keyPrefix: 'bot:' });
// @ts-expect-error what to do while Redis is unavailable: 'in-process' or 'fail'
new RedisRateLimitStore({ url: 'redis://127.0.0.1', whenUnavailable: 'wait' });
