// Types that tie a method name to its params and to the response those params select.

import type { MethodMap, MethodName } from '../generated/methods.js';

export type MethodParams<M extends MethodName> = MethodMap[M]['params'];

/** Every response the method can give (the union of its variants). */
export type MethodResponse<M extends MethodName> = MethodMap[M]['response'];

/** The response of `M` called with params of type `P`: the first variant whose
 * selector `P` satisfies (e.g. `{ extended: true | 1 }`), else `MethodResponse<M>`. */
export type SelectResponse<M extends MethodName, P> = FirstMatchingVariant<MethodMap[M]['variants'], P, MethodResponse<M>>;

type FirstMatchingVariant<Variants, P, Fallback> = Variants extends readonly [
  readonly [infer Selector, infer Response],
  ...infer Rest,
]
  ? [P] extends [Selector]
    ? Response
    : FirstMatchingVariant<Rest, P, Fallback>
  : Fallback;

/** Maps every key of `P` that `Allowed` lacks to `never`, so a misspelt param is a
 * compile error even where excess-property checks do not reach (inferred generics). */
export type NoExtraKeys<P, Allowed> = { readonly [K in Exclude<keyof P, keyof Allowed>]: never };

/** Methods that may be called without params. */
export type MethodWithOptionalParams = {
  [M in MethodName]: {} extends MethodParams<M> ? M : never;
}[MethodName];
