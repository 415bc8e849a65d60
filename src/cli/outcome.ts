// How a run of the CLI ends: its exit code, and what it says on stderr. Every
// message goes through the secrets policy (src/core/censor.ts) with the token and
// the secret params of the run, so that none of them is ever printed.

import { scrubText } from '../core/censor.js';
import { ApiError, ParamEncodingError, TransportError, ValidationError } from '../core/errors.js';

/** The exit codes of `vk-typed`. */
export const exitCodes = {
  ok: 0,
  /** Anything the codes below do not cover. */
  failure: 1,
  /** Bad usage: an unknown flag or method, an argument that is not `key=value`, no
   * token, params the schema refuses. Nothing was sent. */
  usage: 2,
  /** VK answered with an error. */
  apiError: 3,
  /** No VK reply: network failure, timeout, HTTP error status, a body that is not VK's JSON. */
  network: 4,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** A command line the CLI cannot run (exit code 2); thrown before anything is sent. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exit code for an error a run ended with. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof ValidationError || error instanceof ParamEncodingError) {
    return exitCodes.usage;
  }
  if (error instanceof ApiError) return exitCodes.apiError;
  if (error instanceof TransportError) return exitCodes.network;
  return exitCodes.failure;
}

/** What the CLI prints for `error`, with `secrets` (and values named as secrets) censored. */
export function errorReport(error: unknown, secrets: readonly string[]): string {
  const text = error instanceof Error ? describe(error) : String(error);
  const hint = error instanceof UsageError ? '\nSee vk-typed --help.' : '';
  return `vk-typed: ${scrubText(text, secrets)}${hint}\n`;
}

function describe(error: Error): string {
  if (error instanceof ApiError) {
    const lines = [`VK API error ${error.code}: ${error.errorMsg}`];
    if (error.errorText !== undefined) lines.push(error.errorText);
    if (error.redirectUri !== undefined) lines.push(`redirect_uri: ${error.redirectUri}`);
    if (error.captchaImg !== undefined) lines.push(`captcha_img: ${error.captchaImg}`);
    if (error.requestParams.length > 0) lines.push(`request_params: ${JSON.stringify(error.requestParamsRecord)}`);
    return lines.join('\n');
  }
  const cause = error.cause instanceof Error && error instanceof TransportError ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
