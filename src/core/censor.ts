// Censoring of secrets (tokens, passwords, codes, captcha answers) before anything
// is thrown or logged. Every error and log line in the runtime goes through here.

/** Param and field names whose values are secrets: the SDK's and the auth flows'
 * own, and those of the API's params and replies that carry a credential
 * (`account.changePassword`'s passwords and its new `token` and `secret`,
 * `secure.checkToken`'s `token`, a callback server's `secret_key`). Names, not
 * patterns: a photo's `web_view_token` or an item's `track_code` is no secret.
 * Not `code`: API methods use it for VKScript (execute, appWidgets.update) and
 * country codes; the auth flows' 2FA codes are scrubbed as known secret values
 * instead. */
const secretKeys: ReadonlySet<string> = new Set([
  'access_token',
  'password',
  'pass',
  'old_password',
  'new_password',
  'captcha_key',
  'client_secret',
  'success_token',
  'token',
  'secret',
  'secret_key',
]);

/** Known secret values shorter than this are not scrubbed from free text: short
 * values ("1234") would also match harmless ids and counts. */
const minScrubbedLength = 8;

export function isSecretKey(key: string): boolean {
  return secretKeys.has(key.toLowerCase());
}

/** The values of the secret fields of a form, to scrub from anything said about it. */
export function secretValues(fields: Iterable<readonly [string, string]>): string[] {
  return [...fields].filter(([key]) => isSecretKey(key)).map(([, value]) => value);
}

/** `abcd***wxyz` for long values; `***` for values of 8 characters or fewer, where
 * showing 8 of them would reveal (almost) the whole secret. */
export function censorValue(value: unknown): string {
  const text = String(value);
  return text.length > 8 ? `${text.slice(0, 4)}***${text.slice(-4)}` : '***';
}

/** Replaces every occurrence of a known secret in `text` by its censored form. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret.length >= minScrubbedLength) scrubbed = scrubbed.replaceAll(secret, censorValue(secret));
  }
  return scrubbed;
}

/**
 * A deep copy of `value` with secrets censored: values under a secret key, the
 * `value` of `{key, value}` pairs whose `key` is secret (VK's `request_params`),
 * and any known secret value that appears inside a string.
 */
export function censorDeep(value: unknown, secrets: readonly string[] = []): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => censorDeep(item, secrets));
  if (value === null || typeof value !== 'object') return value;

  const record = value as Record<string, unknown>;
  const pairKeyIsSecret = typeof record['key'] === 'string' && isSecretKey(record['key']) && 'value' in record;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    const secret = isSecretKey(key) || (pairKeyIsSecret && key === 'value');
    copy[key] = secret && item !== null && item !== undefined ? censorValue(item) : censorDeep(item, secrets);
  }
  return copy;
}
