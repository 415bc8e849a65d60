// Which call of an `execute` batch each of its `execute_errors` belongs to. VK puts
// `false` in a failed call's place and lists the errors, in the order the calls
// ran, with the failed method's name; it does not say which call failed. A `false`
// may also be a real result, so errors are matched, in order, to `false` results
// of the same method, and a call is called failed only when every consistent
// matching says so.

import type { ApiError } from '../core/errors.js';

export type CallOutcome =
  | { readonly kind: 'result'; readonly result: unknown }
  | { readonly kind: 'error'; readonly error: ApiError }
  /** The call returned `false`, and `error` may be its error or that of another call
   * of the same method in the batch: its outcome cannot be told from the reply. */
  | { readonly kind: 'unknown'; readonly error: ApiError };

/** The outcome of each call, given the calls' methods, the batch's results (one per
 * call) and its `execute_errors`. */
export function matchExecuteErrors(
  methods: readonly string[],
  results: readonly unknown[],
  errors: readonly ApiError[],
): CallOutcome[] {
  const outcomes: CallOutcome[] = results.map((result) => ({ kind: 'result', result }));
  const fits = (call: number, error: ApiError): boolean =>
    results[call] === false && (error.method === undefined || error.method === methods[call]);

  // The earliest and the latest call each error can belong to; any matching in
  // between is consistent with the reply.
  const earliest: number[] = [];
  let call = 0;
  for (const error of errors) {
    while (call < results.length && !fits(call, error)) call += 1;
    earliest.push(call);
    call += 1;
  }
  const latest: number[] = new Array<number>(errors.length);
  call = results.length - 1;
  for (let e = errors.length - 1; e >= 0; e -= 1) {
    while (call >= 0 && !fits(call, errors[e]!)) call -= 1;
    latest[e] = call;
    call -= 1;
  }

  if (earliest.some((at) => at >= results.length) || latest.some((at) => at < 0)) {
    // The errors do not fit the results (more errors than failed calls of their
    // methods): no false result can be trusted to be a real one.
    results.forEach((result, index) => {
      const error = errors.find((candidate) => fits(index, candidate));
      if (result === false && error) outcomes[index] = { kind: 'unknown', error };
    });
    return outcomes;
  }

  errors.forEach((error, e) => {
    const first = earliest[e]!;
    const last = latest[e]!;
    if (first === last) {
      outcomes[first] = { kind: 'error', error };
      return;
    }
    for (let index = first; index <= last; index += 1) {
      if (fits(index, error) && outcomes[index]?.kind !== 'error') outcomes[index] = { kind: 'unknown', error };
    }
  });
  return outcomes;
}
