// What VK ID gives for a code or a refresh token, read from its reply into a form an
// app stores and hands back to `VKIDUserAPI`. The objects are plain data (their JSON
// is what to store), but printing one shows no secret.

import { AuthError, type AuthStep } from '../auth/auth-error.js';
import { censorValue } from '../core/censor.js';

/** Tokens of one VK ID login (the code exchange, or a refresh). */
export interface VKIDTokens {
  /** Sent as `access_token` with API calls; lives `expiresIn` seconds (an hour). */
  readonly accessToken: string;
  /** Renews the access token, once: every refresh brings a new one and VK refuses the
   * old, so store the latest. */
  readonly refreshToken: string;
  /** A JWT naming the user, for `VKID.publicInfo()`; `undefined` when VK sent none. */
  readonly idToken: string | undefined;
  /** Seconds the access token lives; 0 when VK did not say. */
  readonly expiresIn: number;
  /** When the access token expires, in `Date.now()` milliseconds (the reply's arrival
   * plus `expiresIn`); `undefined` when VK did not say. */
  readonly expiresAt: number | undefined;
  /** The account's id; `undefined` when VK did not send it. */
  readonly userId: number | undefined;
  /** The access granted, space-separated, when VK said. */
  readonly scope: string | undefined;
  /** The device the tokens are bound to (from the redirect): a refresh sends it. */
  readonly deviceId: string;
}

/** What a `VKIDUserAPI` needs to call and to refresh; `VKIDTokens` fit as they are. */
export interface VKIDSessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly deviceId: string;
  /** In `Date.now()` milliseconds: the session refreshes shortly before it. */
  readonly expiresAt?: number | undefined;
}

/** The tokens of VK ID's reply to `/oauth2/auth`; `secrets` gets them, to be scrubbed
 * from anything said afterwards. */
export function tokensFromReply(
  reply: Readonly<Record<string, unknown>>,
  deviceId: string,
  receivedAt: number,
  secrets: string[],
  step: AuthStep,
): VKIDTokens {
  const accessToken = nonEmptyString(reply['access_token']);
  const refreshToken = nonEmptyString(reply['refresh_token']);
  const idToken = nonEmptyString(reply['id_token']);
  secrets.push(...[accessToken, refreshToken, idToken].filter((token) => token !== undefined));
  if (accessToken === undefined || refreshToken === undefined) {
    const missing = [accessToken ? undefined : 'access_token', refreshToken ? undefined : 'refresh_token'];
    throw new AuthError(
      'TOKEN_MISSING',
      step,
      `VK ID's reply has no ${missing.filter(Boolean).join(' and ')}`,
      { raw: reply },
      secrets,
    );
  }
  const expiresIn = positiveNumber(reply['expires_in']) ?? 0;
  return printedCensored(
    {
      accessToken,
      refreshToken,
      idToken,
      expiresIn,
      expiresAt: expiresIn > 0 ? receivedAt + expiresIn * 1000 : undefined,
      userId: positiveNumber(reply['user_id']),
      scope: nonEmptyString(reply['scope']),
      deviceId,
    },
    'VKIDTokens',
  );
}

/** Fields whose values a printout of VK ID data censors. */
const censoredFields: ReadonlySet<string> = new Set(['accessToken', 'refreshToken', 'idToken', 'deviceId', 'codeVerifier']);

/**
 * `data` itself, printing (`console.log`, `util.inspect`) with its secrets censored
 * through a non-enumerable `util.inspect.custom`: spreading, `structuredClone` and
 * `JSON.stringify` (for storage) still see every field as it is.
 */
export function printedCensored<T extends object>(data: T, name: string): T {
  Object.defineProperty(data, Symbol.for('nodejs.util.inspect.custom'), {
    enumerable: false,
    value(_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
      const shown = Object.fromEntries(
        Object.entries(data).map(([key, value]) => [key, censoredFields.has(key) && typeof value === 'string' ? censorValue(value) : value]),
      );
      return `${name} ${inspect(shown, options)}`;
    },
  });
  return data;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A positive number, also when VK writes it as a string. */
function positiveNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : undefined;
}
