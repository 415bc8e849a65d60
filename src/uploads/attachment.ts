// VK's attachment strings (`photo100_200`, `doc-5_7_ab12cd`), as `messages.send`'s
// attachment and `wall.post`'s attachments take them.

const attachmentTypes = [
  'photo',
  'video',
  'audio',
  'doc',
  'audio_message',
  'graffiti',
  'wall',
  'wall_reply',
  'market',
  'market_album',
  'poll',
  'story',
  'album',
  'page',
  'note',
  'podcast',
  'article',
  'clip',
  'audio_playlist',
] as const;

/** The kinds of object an attachment string can name. */
export type AttachmentType = (typeof attachmentTypes)[number];

const knownTypes: ReadonlySet<string> = new Set(attachmentTypes);

/** What an attachment string is made of: the object's owner and id, and its access
 * key when it has one. Message attachments name a wall post's owner `to_id`. */
export interface Attachable {
  readonly owner_id?: number | undefined;
  readonly to_id?: number | undefined;
  readonly id: number;
  readonly access_key?: string | undefined;
}

/** Voice messages and graffiti are documents, and are attached as such. */
const prefixes: Partial<Record<AttachmentType, string>> = { audio_message: 'doc', graffiti: 'doc' };

/**
 * VK's attachment string for `object`: `<type><owner_id>_<id>`, plus `_<access_key>`
 * when the object has one (`photo-1_456239017_3f8a...`); voice messages and graffiti
 * as `doc...`. For `messages.send({ attachment })` and `wall.post({ attachments })`.
 */
export function toAttachment(object: Attachable, type: AttachmentType): string {
  const prefix = Object.hasOwn(prefixes, type) ? prefixes[type] : knownType(type);
  if (typeof object !== 'object' || object === null) throw new TypeError(`toAttachment: the ${type} must be an object`);
  const owner = object.owner_id ?? (type === 'wall' ? object.to_id : undefined);
  const { id, access_key: key } = object;
  if (!Number.isSafeInteger(owner) || owner === 0)
    throw new TypeError(`toAttachment: the ${type} has no owner_id (a non-zero integer)`);
  if (!Number.isSafeInteger(id) || id === 0)
    throw new TypeError(`toAttachment: the ${type} has no id (a non-zero integer)`);
  if (key !== undefined && (typeof key !== 'string' || !/^\w*$/.test(key)))
    throw new TypeError(`toAttachment: the ${type}'s access_key must be letters and digits`);
  return `${prefix}${owner}_${id}${key ? `_${key}` : ''}`;
}

function knownType(type: string): string {
  if (!knownTypes.has(type)) throw new TypeError(`toAttachment: unknown attachment type "${type}"`);
  return type;
}
