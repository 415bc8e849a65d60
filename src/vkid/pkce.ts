// PKCE (RFC 7636) as VK ID wants it: a verifier of 43 to 128 characters of
// `a-zA-Z0-9_-`, new for every authorization, and its challenge, the base64url of its
// SHA-256 without padding. Also the random `state` each authorization carries.

import { createHash, randomBytes } from 'node:crypto';

/** A verifier and the challenge `/authorize` gets instead of it. */
export interface PkcePair {
  readonly codeVerifier: string;
  readonly codeChallenge: string;
}

/** 48 random bytes are 64 base64url characters: inside 43..128, 384 bits of entropy. */
const verifierBytes = 48;
/** 24 random bytes: a 32-character state, as VK's SDKs make. */
const stateBytes = 24;
const verifierPattern = /^[A-Za-z0-9_-]{43,128}$/;

/** A new verifier (64 characters) and its challenge. */
export function createPkcePair(): PkcePair {
  const codeVerifier = randomBytes(verifierBytes).toString('base64url');
  return { codeVerifier, codeChallenge: codeChallengeOf(codeVerifier) };
}

/** base64url(sha256(verifier)), no padding (Node's base64url never pads). */
export function codeChallengeOf(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

/** A new random state: 32 characters of `a-zA-Z0-9_-`. */
export function createState(): string {
  return randomBytes(stateBytes).toString('base64url');
}

/** Refuses, before anything is sent, a verifier VK would refuse (without quoting it). */
export function checkCodeVerifier(codeVerifier: unknown): string {
  if (typeof codeVerifier !== 'string' || !verifierPattern.test(codeVerifier)) {
    const got = typeof codeVerifier === 'string' ? `a string of ${codeVerifier.length} characters` : `a ${typeof codeVerifier}`;
    throw new TypeError(
      `codeVerifier must be 43 to 128 characters of a-z, A-Z, 0-9, _ and - (the one authorizationUrl() gave), got ${got}`,
    );
  }
  return codeVerifier;
}
