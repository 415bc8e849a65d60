// Waiting on something the SDK does not control (a user's handler, a captcha answer,
// a prompt, a login other calls share) without waiting past the caller's signal.

/** `value`, or the signal's reason as soon as it aborts. What `value` settles with
 * later is ignored, a failure included (never an unhandled rejection). */
export function untilAborted<V>(value: V | PromiseLike<V>, signal: AbortSignal | undefined): Promise<V> {
  if (signal === undefined) return Promise.resolve(value);
  return new Promise<V>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(value)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
