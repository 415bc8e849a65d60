// What the upload host answered: the save method's params when it stored the file,
// else an UploadError with the reply (censored) and why. Hosts say no in several
// ways: an HTML page (`Security Breach2` for a stale or foreign upload URL), an HTTP
// error, `{"error": "..."}` or `{"error": {...}}`, a non-zero `error_code` / `errcode`,
// or, for photos, a reply whose photo list is empty (`"photo": "[]"`: no image in the file).

import { UploadError } from './upload-error.js';
import type { HostReply } from './host-request.js';

/** The save params `fromReply` (param -> reply path, `*` for the whole text) names, read off `reply`. */
export function saveParamsFromReply(
  reply: HostReply,
  fromReply: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const { status, text } = reply;
  if (status < 200 || status >= 300)
    throw new UploadError('upload', `the upload host answered HTTP ${status}`, { status, reply: text });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UploadError('upload', `the upload host answered with a page that is not JSON (HTTP ${status})`, {
      status,
      reply: text,
    });
  }
  if (!isRecord(parsed))
    throw new UploadError('upload', 'the upload host answered with JSON that is not an object', {
      status,
      reply: text,
    });
  const refusal = refusalOf(parsed);
  if (refusal !== undefined)
    throw new UploadError('upload', `the upload host refused the file: ${refusal}`, { status, reply: text });

  const params: Record<string, unknown> = {};
  for (const [param, path] of Object.entries(fromReply)) {
    const value = path === '*' ? text : valueAt(parsed, path);
    if (value === undefined || value === null || value === '')
      throw new UploadError('upload', `the upload host's reply has no "${path}"`, { status, reply: text });
    if (value === '[]')
      throw new UploadError(
        'upload',
        `the upload host stored nothing ("${path}" is an empty list): is the file an image VK takes?`,
        {
          status,
          reply: text,
        },
      );
    params[param] = value;
  }
  return params;
}

/** Why the reply says no, or undefined. */
function refusalOf(reply: Record<string, unknown>): string | undefined {
  const { error } = reply;
  if (error !== undefined && error !== null && error !== '' && error !== 0 && error !== false)
    return typeof error === 'string' ? error : JSON.stringify(error);
  for (const key of ['error_code', 'errcode']) {
    const code = reply[key];
    if (typeof code === 'number' && code !== 0)
      return `${key} ${code}${typeof reply['error_descr'] === 'string' ? ` (${reply['error_descr']})` : ''}`;
  }
  return undefined;
}

function valueAt(reply: Record<string, unknown>, path: string): unknown {
  let value: unknown = reply;
  for (const key of path.split('.')) value = isRecord(value) ? value[key] : undefined;
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
