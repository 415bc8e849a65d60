// Which release an update installs (tag and commit, from the options, the source
// or a given lock) and which lock, if any, it must match file by file.
import type { SchemaPin } from '../codegen/schema-pin.js';
import type { SchemaLock } from './lock.js';
import { commitPattern, type ReleaseSource } from './release.js';

/** The update was refused; nothing in the tree changed. */
export class UpdateRefused extends Error {
  constructor(
    origin: string,
    readonly problems: string[],
  ) {
    super(`refused ${origin}; nothing was changed:\n  ${problems.join('\n  ')}`);
  }
}

/** What the options say about the release, beside `--to`. */
export interface PinOptions {
  tag?: string;
  commit?: string;
}

/** The new pin: what the options say, else the source, else the lock it must match. */
export function releasePin(
  source: ReleaseSource,
  options: PinOptions,
  current: SchemaLock,
  given?: SchemaLock,
): SchemaPin {
  const tag = options.tag ?? source.tag ?? given?.tag;
  const commit = options.commit ?? source.commit ?? given?.commit;
  const problems: string[] = [];
  if (!tag) problems.push(`cannot tell the tag of ${source.origin}: pass --tag (e.g. v5.199.93)`);
  if (!commit)
    problems.push(
      `cannot tell the commit of ${source.origin} (a folder carries none): pass --commit with the 40-hex commit id`,
    );
  else if (!commitPattern.test(commit)) problems.push(`--commit ${commit}: not a 40-hex commit id`);
  if (problems.length > 0) throw new UpdateRefused(source.origin, problems);
  return { upstream: given?.upstream ?? current.upstream, tag: tag!, commit: commit! };
}

/** The lock the release must match: the one given, or the tree's when it pins the same release. */
export function expectedLock(
  pin: SchemaPin,
  current: SchemaLock,
  given: SchemaLock | undefined,
  currentPath: string,
  givenPath?: string,
): { lock: SchemaLock; path: string } | undefined {
  if (given) {
    if (pin.tag !== given.tag || pin.commit !== given.commit) {
      throw new UpdateRefused(pin.tag, [
        `${givenPath} pins ${given.tag} at commit ${given.commit}, but the release is ${pin.tag} at commit ${pin.commit}`,
      ]);
    }
    return { lock: given, path: givenPath! };
  }
  if (pin.tag !== current.tag && pin.commit !== current.commit) return undefined;
  if (pin.tag !== current.tag || pin.commit !== current.commit) {
    throw new UpdateRefused(pin.tag, [
      `${currentPath} pins ${current.tag} at commit ${current.commit}, but this is ${pin.tag} at commit ${pin.commit}`,
    ]);
  }
  return { lock: current, path: currentPath };
}
