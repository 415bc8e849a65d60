// VK ID's `scope`: access names separated by spaces (not the old OAuth's commas or
// bitmasks); left out, VK grants `vkid.personal_info`.

/** Access names VK ID knows (id.vk.com, "Права доступа"); others are sent as given. */
export type VKIDScopeName =
  | 'vkid.personal_info'
  | 'email'
  | 'phone'
  | 'friends'
  | 'wall'
  | 'groups'
  | 'stories'
  | 'docs'
  | 'photos'
  | 'ads'
  | 'video'
  | 'status'
  | 'market'
  | 'pages'
  | 'notifications'
  | 'stats'
  | 'messages'
  | (string & {});

/** `'email phone'` or `['email', 'phone']`. */
export type VKIDScope = string | readonly VKIDScopeName[];

export const defaultVKIDScope = 'vkid.personal_info';

/** The names, one space apart, each once; commas (the old OAuth's separator) count as
 * spaces. An empty scope is `undefined`: nothing is sent and VK grants its default. */
export function vkidScopeParam(scope: VKIDScope): string | undefined {
  const parts = typeof scope === 'string' ? [scope] : scope;
  if (!Array.isArray(parts) || parts.some((part) => typeof part !== 'string')) {
    throw new TypeError("scope must be a string ('email phone') or an array of access names");
  }
  const names = [...new Set(parts.flatMap((part) => part.split(/[\s,]+/)).filter(Boolean))];
  return names.length === 0 ? undefined : names.join(' ');
}
