// Access rights asked for at login. VK's `scope` takes either names (comma-joined)
// or a bitmask, so both are sent as given: no table of bits to keep in step with VK.

/** Access rights of a user token (dev.vk.com/reference/access-rights). */
export type UserScopeName =
  | 'notify'
  | 'friends'
  | 'photos'
  | 'audio'
  | 'video'
  | 'stories'
  | 'pages'
  | 'menu'
  | 'status'
  | 'notes'
  | 'messages'
  | 'wall'
  | 'ads'
  | 'offline'
  | 'docs'
  | 'groups'
  | 'notifications'
  | 'stats'
  | 'email'
  | 'market'
  | 'phone_number';

/** The access rights a community token can have. */
export type CommunityScopeName = 'manage' | 'messages' | 'photos' | 'docs' | 'wall' | 'stories' | 'app_widget';

/** `'offline,wall'`, `['offline', 'wall']`, or a bitmask such as `65536 + 8192`. */
export type Scope<Name extends string = UserScopeName> = string | readonly Name[] | number;

/** The `scope` param for a scope option; `undefined` when none is asked for. */
export function scopeParam(scope: Scope<string> | undefined): string | undefined {
  if (scope === undefined) return undefined;
  if (typeof scope === 'number') {
    if (!Number.isSafeInteger(scope) || scope < 0) {
      throw new RangeError(`scope must be a non-negative integer bitmask, got ${scope}`);
    }
    return String(scope);
  }
  const names = (typeof scope === 'string' ? scope.split(',') : scope).map((name) => name.trim());
  if (names.length === 0 || (names.length === 1 && names[0] === '')) return undefined;
  const bad = names.find((name) => !/^[a-z_]+$/.test(name));
  if (bad !== undefined) throw new RangeError(`scope has a malformed name: ${JSON.stringify(bad)}`);
  return names.join(',');
}
