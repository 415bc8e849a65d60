// The one secret policy: which names and values are secrets, and how they are
// censored before anything is thrown, logged, reported or printed. Every error,
// warning, drift report and session printout in the runtime goes through here.
//
// Names. A name is compared lowercased, without `_` and `-` (`access_token`,
// `accessToken` and `ACCESS-TOKEN` are one name); it is a secret's when it
//   - contains `password` or `secret` (`password`, `old_password`, `new_password`,
//     `client_secret`, `secret_key`, `change_password_hash`, a call's
//     `link_with_password`, ...): no field so named is harmless to hide;
//   - is a credential's own name: `access_token` (and the community flow's
//     `access_token_<group id>`), `token` (`secure.checkToken`,
//     `account.changePassword`), `refresh_token`, `success_token`, `pass`, and
//     `captcha_key` (the answer);
//   - is `code` in an auth context (OAuth and login replies, where it is a 2FA or an
//     authorization code). Elsewhere `code` is VKScript or a country code.
// Other names with `token` in them are not secrets: a photo's `web_view_token`, a
// list's `next_page_token`, an item's `track_code`; drift reports need their values.
//
// Values. A censored value shows nothing (`***`), except that a value of 32
// characters or more (a token, never a typed password in practice) keeps its first 4
// (`vk1.***`), to tell tokens apart. Known secret values (the session's token, the
// login's password and answers, a batch's params) of 4 characters or more are also
// scrubbed from free text, raw and in their URL and HTML encodings; shorter values
// would hit ids and counts, so they rely on their names alone. Free text is also
// censored by name where it has names: `name=value` (forms, URLs), `"name":"value"`
// (JSON) and `name: "value"` (VKScript); values so named inside a form's fields (an
// execute's script) count as the form's known secret values.

export type SecretContext = 'api' | 'auth';

const credentialNames: ReadonlySet<string> = new Set([
  'accesstoken',
  'token',
  'refreshtoken',
  'successtoken',
  'pass',
  'captchakey',
]);

const minScrubbedLength = 4;
const minPrefixedLength = 32;

/** Whether a field or param so named holds a secret (the rule above). */
export function isSecretKey(key: string, context: SecretContext = 'api'): boolean {
  const name = key.toLowerCase().replace(/[_-]/g, '');
  return (
    name.includes('password') ||
    name.includes('secret') ||
    credentialNames.has(name) ||
    /^accesstoken\d+$/.test(name) ||
    (context === 'auth' && name === 'code')
  );
}

/** The secret values of a form, to scrub from anything said about it: those of its
 * secret fields, and those named inside its values. An execute's VKScript holds
 * every batched call's params (`"old_password":"..."`), and VK quotes and echoes the
 * script to every caller of the batch. */
export function secretValues(fields: Iterable<readonly [string, string]>): string[] {
  const values: string[] = [];
  for (const [key, value] of fields) {
    if (isSecretKey(key)) values.push(value);
    // Most values (ids, the token, text) name nothing: skip the scan, which runs per call.
    if (!value.includes('=') && !value.includes(':')) continue;
    for (const [, formKey, formValue, , jsonKey, , jsonValue] of value.matchAll(namedValue)) {
      if (formKey !== undefined && formValue && isSecretKey(formKey)) values.push(formValue);
      if (jsonKey !== undefined && jsonValue && isSecretKey(jsonKey)) values.push(jsonValue, unescapeJson(jsonValue));
    }
  }
  return values;
}

/** `***`; `abcd***` for values of 32 characters or more. */
export function censorValue(value: unknown): string {
  const text = String(value);
  return text.length >= minPrefixedLength ? `${text.slice(0, 4)}***` : '***';
}

/** `name=value` in forms and URLs; `"name":"value"` in JSON, and `name: "value"` in VKScript. */
const namedValue = /([\w-]+)=([^&\s"'<>]*)|("?)([\w-]+)\3(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;

/** `text` with every known secret (in any of its encodings) and every value named
 * as a secret censored. */
export function scrubText(text: string, secrets: readonly string[] = [], context: SecretContext = 'api'): string {
  let scrubbed = text.replace(
    namedValue,
    (
      match,
      formKey?: string,
      formValue?: string,
      quote?: string,
      jsonKey?: string,
      colon?: string,
      jsonValue?: string,
    ) => {
      if (formKey !== undefined)
        return formValue && isSecretKey(formKey, context) ? `${formKey}=${censorValue(formValue)}` : match;
      return isSecretKey(jsonKey!, context) ? `${quote}${jsonKey}${quote}${colon}"${censorValue(jsonValue)}"` : match;
    },
  );
  // Longest first, so that a secret inside a longer one does not leave the rest of it.
  const forms = [...new Set(secrets.filter((s) => s.length >= minScrubbedLength).flatMap(encodings))];
  for (const secret of forms.sort((a, b) => b.length - a.length))
    scrubbed = scrubbed.replaceAll(secret, censorValue(secret));
  return scrubbed;
}

function unescapeJson(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}

/** How a secret may appear in text: raw, in a URL or form, in HTML. */
function encodings(secret: string): string[] {
  const html = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), html];
}

/**
 * A deep copy of `value` with secrets censored: values under a secret key, the
 * `value` of `{key, value}` pairs whose `key` is secret (VK's `request_params`),
 * and secrets inside strings (`scrubText`).
 */
export function censorDeep(value: unknown, secrets: readonly string[] = [], context: SecretContext = 'api'): unknown {
  if (typeof value === 'string') return scrubText(value, secrets, context);
  if (Array.isArray(value)) return value.map((item) => censorDeep(item, secrets, context));
  if (value === null || typeof value !== 'object') return value;

  const record = value as Record<string, unknown>;
  const pairKeyIsSecret = typeof record['key'] === 'string' && isSecretKey(record['key'], context) && 'value' in record;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    const secret = isSecretKey(key, context) || (pairKeyIsSecret && key === 'value');
    copy[key] = secret && item !== null && item !== undefined ? censorValue(item) : censorDeep(item, secrets, context);
  }
  return copy;
}
