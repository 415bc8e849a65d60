// Which call params select which response variant. The schema lists variants
// (extendedResponse, fieldsResponse, ...) without saying what selects them, so
// the inference lives here, in one table. A variant key the table does not
// know stops the generator: a new kind of variant needs a decision, not a guess.
import type { NormalizedMethod, NormalizedParam } from './normalize.js';

export type Condition =
  /** `extended: true` (or 1 for an integer flag) */
  | { kind: 'truthy'; param: string }
  /** `fields: ['city', ...]`: a non-empty array */
  | { kind: 'nonEmpty'; param: string }
  /** the param is given; the first of the names that the method has */
  | { kind: 'given'; param: string[] }
  /** `section: 'regions'` */
  | { kind: 'oneOf'; param: string; values: string[] };

export type VariantRule =
  /** The response when no selector applies. */
  | { role: 'default' }
  /** Nothing in the call tells it apart: it joins another variant as a possible type. */
  | { role: 'joins'; variant: string }
  | { role: 'selected'; name: string; when: Condition[] };

const truthy = (param: string): Condition => ({ kind: 'truthy', param });
const nonEmpty = (param: string): Condition => ({ kind: 'nonEmpty', param });
const given = (...param: string[]): Condition => ({ kind: 'given', param });
const section = (value: string): Condition => ({ kind: 'oneOf', param: 'section', values: [value] });

export const variantRules: Readonly<Record<string, VariantRule>> = {
  response: { role: 'default' },
  baseResponse: { role: 'default' },
  deprecatedResponse: { role: 'default' },
  responseInteger: { role: 'default' },
  // newsfeed.search: the strict form has the same shape; nothing selects it.
  responseStrict: { role: 'joins', variant: 'response' },
  extendedResponseStrict: { role: 'joins', variant: 'extendedResponse' },
  // messages.getInviteLink, friends.getMutual: the schema gives no selecting param.
  responseByOwner: { role: 'joins', variant: 'response' },
  totalCountResponse: { role: 'joins', variant: 'response' },
  extendedResponse: { role: 'selected', name: 'Extended', when: [truthy('extended')] },
  fieldsResponse: { role: 'selected', name: 'Fields', when: [nonEmpty('fields')] },
  filterResponse: { role: 'selected', name: 'Managers', when: [{ kind: 'oneOf', param: 'filter', values: ['managers'] }] },
  userIdsResponse: { role: 'selected', name: 'UserIds', when: [given('user_ids', 'peer_ids', 'user_ids_list')] },
  userIds_Extended_Response: {
    role: 'selected',
    name: 'UserIdsExtended',
    when: [given('user_ids'), truthy('extended')],
  },
  onlineMobileResponse: { role: 'selected', name: 'OnlineMobile', when: [truthy('online_mobile')] },
  onlineMobileExtendedResponse: {
    role: 'selected',
    name: 'OnlineMobileExtended',
    when: [truthy('online_mobile'), truthy('extended')],
  },
  needMutualResponse: { role: 'selected', name: 'NeedMutual', when: [truthy('need_mutual')] },
  targetUidsResponse: { role: 'selected', name: 'TargetUids', when: [given('target_uids')] },
  chatIdsResponse: { role: 'selected', name: 'ChatIds', when: [given('chat_ids')] },
  chatIds_Fields_Response: { role: 'selected', name: 'ChatIdsFields', when: [given('chat_ids'), nonEmpty('fields')] },
  regionsResponse: { role: 'selected', name: 'Regions', when: [section('regions')] },
  citiesResponse: { role: 'selected', name: 'Cities', when: [section('cities')] },
  schoolsResponse: { role: 'selected', name: 'Schools', when: [section('schools')] },
  multiResponse: { role: 'selected', name: 'Multi', when: [given('album_ids')] },
  responseArray: { role: 'selected', name: 'Array', when: [given('counters')] },
};

export interface ResolvedCondition {
  kind: Condition['kind'];
  param: NormalizedParam;
  values?: string[];
}

export interface SelectedVariant {
  /** Suffix of the variant's params type: WallGet + Extended + Params. */
  name: string;
  when: ResolvedCondition[];
  /** Response definitions this variant may return. */
  responses: string[];
}

export interface MethodVariants {
  /** Response definitions when no selector applies. */
  defaults: string[];
  /** Most specific first: overloads and the call() table try them in order. */
  selected: SelectedVariant[];
}

function resolveCondition(method: NormalizedMethod, condition: Condition): ResolvedCondition {
  const names = condition.kind === 'given' ? condition.param : [condition.param];
  const param = method.params.find((p) => names.includes(p.name));
  if (!param) throw new Error(`${method.name}: a response variant is selected by ${names.join(' or ')}, which the method lacks`);
  return { kind: condition.kind, param, ...(condition.kind === 'oneOf' ? { values: condition.values } : {}) };
}

export function resolveVariants(method: NormalizedMethod): MethodVariants {
  const defaults: string[] = [];
  const selected = new Map<string, SelectedVariant>();
  const joins: [string, string][] = [];
  for (const [key, definition] of Object.entries(method.responses)) {
    const rule = variantRules[key];
    if (!rule) throw new Error(`${method.name}: unknown response variant "${key}"; add it to codegen/variants.ts`);
    if (rule.role === 'default') defaults.push(definition);
    else if (rule.role === 'joins') joins.push([rule.variant, definition]);
    else {
      selected.set(key, {
        name: rule.name,
        when: rule.when.map((c) => resolveCondition(method, c)),
        responses: [definition],
      });
    }
  }
  for (const [target, definition] of joins) {
    const rule = variantRules[target];
    if (rule?.role === 'selected' && selected.has(target)) selected.get(target)!.responses.push(definition);
    else defaults.push(definition);
  }
  if (defaults.length === 0) throw new Error(`${method.name}: no response applies when no variant is selected`);
  return {
    defaults,
    selected: [...selected.values()].sort((a, b) => b.when.length - a.when.length),
  };
}
