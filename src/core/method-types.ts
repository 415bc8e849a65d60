// Types that tie a method name to its params and to the response those params select.

import type { LooseMethods, MethodName, MethodVariants, SectionMap } from '../../generated/methods.js';

/** The section method behind "section.method". */
type SectionMethod<M> = M extends `${infer S extends keyof SectionMap}.${infer N}`
  ? N extends keyof SectionMap[S]
    ? SectionMap[S][N]
    : never
  : never;

/** A method's params: those of its section method's last overload, which takes them all.
 * (`params: infer P`, not `params?:`: a method whose params are required does not
 * match an optional first parameter, and its params would be `never`.) */
export type MethodParams<M extends MethodName> = M extends keyof LooseMethods
  ? LooseMethods[M]['params']
  : SectionMethod<M> extends (params: infer P, ...rest: never[]) => unknown
    ? NonNullable<P>
    : never;

/** Params `P` of a method and `X`, the params every method of the session takes; a
 * method without params (`Record<string, never>`, which would refuse X's keys) takes
 * `X` alone. Applied to `MethodParams<M>`, not read off sections made with `X`: that
 * would instantiate every method of every section for each `call()`. */
export type WithExtraParams<P, X> = string extends keyof P ? X : P & X;

/** Every response the method can give (its last overload returns the union of its variants). */
export type MethodResponse<M extends MethodName> = M extends keyof LooseMethods
  ? LooseMethods[M]['response']
  : SectionMethod<M> extends (...args: never[]) => Promise<infer R>
    ? R
    : never;

/** The response of `M` called with params of type `P`: the first variant whose
 * selector `P` satisfies (e.g. `{ extended: true }`), else `MethodResponse<M>`. */
export type SelectResponse<M extends MethodName, P> = M extends keyof MethodVariants
  ? FirstMatchingVariant<MethodVariants[M], P, MethodResponse<M>>
  : MethodResponse<M>;

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
