// VKScript for running several API calls in one `execute` request (batching,
// paginating). Each call becomes `API.<method>(<params>)` with its params already
// encoded as the form would send them, so a call means the same inside execute
// as outside; the script returns every call's result, in order.

/** One call to run inside execute: its method and its encoded params. */
export interface ScriptCall {
  readonly method: string;
  readonly params: Iterable<readonly [string, string]>;
}

/** The most API calls VK runs in one execute. */
export const maxCallsPerExecute = 25;

const methodName = /^[a-zA-Z]+\.[a-zA-Z0-9]+$/;

/** `return [API.users.get({"user_ids":"1"}), ...];` */
export function batchScript(calls: readonly ScriptCall[]): string {
  if (calls.length === 0 || calls.length > maxCallsPerExecute) {
    throw new RangeError(`execute runs 1 to ${maxCallsPerExecute} calls, not ${calls.length}`);
  }
  const parts = calls.map(({ method, params }) => {
    // The name is pasted into code: anything but section.method could inject script.
    if (!methodName.test(method)) throw new TypeError(`"${method}" cannot be called inside execute`);
    return `API.${method}(${scriptString(Object.fromEntries(params))})`;
  });
  return `return [${parts.join(', ')}];`;
}

/** JSON, with the two line separators JSON allows raw but script parsers may not. */
function scriptString(value: unknown): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
