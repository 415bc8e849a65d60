// One entry of a schema changelog, as `schema:diff --json` prints it, and the order
// the kinds are listed in.

/** Every kind a changelog entry can have, in the order changelogs list them. */
export const changeKinds = [
  'version-changed',
  'section-added',
  'section-removed',
  'method-added',
  'method-removed',
  'token-type-changed',
  'param-added',
  'param-removed',
  'param-required-changed',
  'param-type-changed',
  'param-default-changed',
  'param-constraint-changed',
  'enum-value-added',
  'enum-value-removed',
  'response-changed',
  'object-added',
  'object-removed',
  'object-changed',
  'error-added',
  'error-removed',
  'error-changed',
] as const;

export type ChangeKind = (typeof changeKinds)[number];

/**
 * One change between two schema releases. `breaking` is true where code that
 * compiled against the old SDK may stop compiling against the new one.
 */
export interface Change {
  kind: ChangeKind;
  breaking: boolean;
  /** The API method it concerns, e.g. `users.get`. */
  method?: string;
  /** The method's param it concerns. */
  param?: string;
  /** What changed, e.g. `integer -> number`, or `users_fields: "lists"` for a definition. */
  detail?: string;
}

/** Builds a change with its keys in the documented order, leaving out the absent ones. */
export function change(kind: ChangeKind, breaking: boolean, where: Omit<Change, 'kind' | 'breaking'> = {}): Change {
  const entry: Change = { kind, breaking };
  if (where.method !== undefined) entry.method = where.method;
  if (where.param !== undefined) entry.param = where.param;
  if (where.detail !== undefined) entry.detail = where.detail;
  return entry;
}

const kindOrder = new Map<string, number>(changeKinds.map((kind, index) => [kind, index]));

function compareText(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Changelog order: by kind, then method, param and detail; stable across runs. */
export function sortChanges(changes: Change[]): Change[] {
  return changes.sort(
    (a, b) =>
      kindOrder.get(a.kind)! - kindOrder.get(b.kind)! ||
      compareText(a.method, b.method) ||
      compareText(a.param, b.param) ||
      compareText(a.detail, b.detail),
  );
}
