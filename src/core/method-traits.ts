// What the runtime must know of methods that VK's schema does not say: which calls
// are safe to send again after a failure that may have reached VK, which methods
// de-duplicate by a key we can fill in, and which cannot run inside `execute`.
// Hand-written tables, kept here so they are easy to find and to extend.

import { randomInt, randomUUID } from 'node:crypto';

/**
 * Methods that de-duplicate by a param: VK ignores a repeat of a call whose key it
 * has already seen (per app and sender), so a retry with the same key is safe. When
 * the caller sets none, the runtime fills one in, once per call, and every retry of
 * the call sends the same one. The schema describes these params ("Unique
 * identifier to avoid resending the message") but does not mark them.
 */
const deduplicationKeys: Readonly<Record<string, 'random_id' | 'guid'>> = {
  'messages.send': 'random_id',
  'notifications.sendMessage': 'random_id',
  'wall.post': 'guid',
  'wall.postAdsStealth': 'guid',
  'wall.createComment': 'guid',
  'board.createComment': 'guid',
  'market.createComment': 'guid',
  'notes.createComment': 'guid',
  'photos.createComment': 'guid',
  'video.createComment': 'guid',
};

/**
 * Verbs of methods that only read: sending one of these twice changes nothing, so
 * any failure may be retried. Everything else (add, send, post, delete, ...) may
 * have taken effect when its reply was lost, and is retried only when VK surely
 * did not run it (see ../pipeline/retry.ts) or when it carries a de-duplication key.
 */
const readVerb = /^(get|search|is|are|check|resolve)([A-Z0-9]|$)/;

/**
 * Methods that fail inside `execute` and are always sent on their own:
 * - `execute` and stored procedures (`execute.<name>`): VKScript cannot nest them;
 * - the "save" step of uploads: VK checks the upload's `server`/`hash` (or `file`,
 *   `upload_results`) against a direct request and refuses them from a script
 *   (the same list vk-io keeps, plus the newer upload saves of the schema).
 */
const notInExecute: ReadonlySet<string> = new Set([
  'appWidgets.saveAppImage',
  'appWidgets.saveGroupImage',
  'audio.save',
  'docs.save',
  'market.saveProductPhoto',
  'market.saveProductPhotoBulk',
  'messages.setChatPhoto',
  'photos.save',
  'photos.saveMarketAlbumPhoto',
  'photos.saveMarketPhoto',
  'photos.saveMessagesPhoto',
  'photos.saveOwnerCoverPhoto',
  'photos.saveOwnerPhoto',
  'photos.saveWallPhoto',
  'polls.savePhoto',
  'stories.save',
  'video.saveUploadedThumb',
]);

/** The only method names a batch script may contain (see ../pipeline/execute-script.ts). */
const scriptableName = /^[a-zA-Z]+\.[a-zA-Z0-9]+$/;

/** Whether `method` may be batched into an `execute` with other calls. */
export function canRunInExecute(method: string): boolean {
  return scriptableName.test(method) && !method.startsWith('execute.') && !notInExecute.has(method);
}

/** Sets the method's de-duplication key in `form` unless the caller set one. */
export function addDeduplicationKey(method: string, form: URLSearchParams): void {
  const key = deduplicationKeys[method];
  if (key === undefined || form.has(key)) return;
  form.set(key, key === 'guid' ? randomUUID() : nextRandomId());
}

/**
 * Whether sending this call again after a failure that may have reached VK does no
 * harm: a read, or a write carrying a de-duplication key (a `random_id` of 0 turns
 * VK's check off, so it does not count).
 */
export function isReplaySafe(method: string, form: URLSearchParams): boolean {
  const key = deduplicationKeys[method];
  if (key !== undefined) {
    const value = form.get(key);
    return value !== null && value !== '' && value !== '0';
  }
  const dot = method.indexOf('.');
  return dot > 0 && readVerb.test(method.slice(dot + 1));
}

// random_id: VK compares it over the sender's history, so a collision silently
// drops a message. Milliseconds since 1970 in the high bits and a per-process
// counter from a random start in the low 20 make ids unique within a process and
// a clash between processes need the same millisecond and a 1-in-2^20 draw. The
// value fits a signed 64-bit integer (VK's range; vk-io sends 17-digit ids too)
// until the year 2248, and travels as a decimal string.
const lowBits = 20n;
let counter = randomInt(2 ** 20);

function nextRandomId(): string {
  counter = (counter + 1) % 2 ** 20;
  return ((BigInt(Date.now()) << lowBits) | BigInt(counter)).toString();
}
