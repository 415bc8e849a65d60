// One API call the fake received: the method, its params decoded back to the values
// the caller passed, the form fields VK got, and the token, which only the `token`
// getter gives: printing a call (console.log, util.inspect, JSON.stringify, an
// assertion's diff) shows it censored, as every secret param.

import type { MethodName } from '../../generated/methods.js';
import { censorDeep } from '../core/censor.js';
import type { MethodParams } from '../core/method-types.js';

/** A call's params: typed by the SDK for a method of the schema, else its form strings. */
export type CallParams<M extends string> = M extends MethodName ? MethodParams<M> : Readonly<Record<string, unknown>>;

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** An API call received by the fake VK server (inside an `execute` too). */
export class FakeCall<M extends string = string> {
  /** The method, e.g. `users.get`. */
  readonly method: M;
  /** The params as the caller wrote them: `[1, 2]` for `user_ids=1,2`, `true` for `1`
   * where a boolean goes (by the method's schema); `access_token` and `v` left out. */
  readonly params: CallParams<M>;
  /** The form fields as VK received them, `access_token` left out. */
  readonly form: Readonly<Record<string, string>>;
  /** The API version the call asked for (`v`). */
  readonly version: string | undefined;
  /** Made inside an `execute` (a batch), not by a request of its own. */
  readonly batched: boolean;
  readonly #token: string | undefined;

  /** @internal */
  constructor(method: M, params: Readonly<Record<string, unknown>>, fields: Readonly<Record<string, string>>, batched: boolean) {
    const { access_token: token, ...form } = fields;
    this.method = method;
    this.params = params as CallParams<M>;
    this.form = form;
    this.version = fields['v'];
    this.batched = batched;
    this.#token = token;
  }

  /** The access token the call carried, as it is: compare it, never print it. */
  get token(): string | undefined {
    return this.#token;
  }

  /** The call with its token and secret params censored. */
  toJSON(): Record<string, unknown> {
    const { method, params, form, version, batched } = this;
    const secrets = this.#token === undefined ? [] : [this.#token];
    // `token` is a secret's name: censorDeep censors it (and the token wherever else it shows).
    return censorDeep({ method, params, form, version, batched, token: this.#token }, secrets) as Record<string, unknown>;
  }

  [inspectSymbol](): Record<string, unknown> {
    return this.toJSON();
  }
}
