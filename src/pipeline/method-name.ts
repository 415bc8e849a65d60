// The method name goes into the URL path (and, batched, into VKScript), so only
// the shape of VK's names passes: `section.method` (`execute.<procedure>` for a
// stored procedure) or `execute`. Names the schema lacks still pass if they have it.

const methodNamePattern = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9_]*)?$/;

/** `method`, or a `TypeError` if it is no VK method name (`users/../x`, `a?b`, ...). */
export function checkMethodName(method: string): string {
  if (typeof method !== 'string' || !methodNamePattern.test(method)) {
    throw new TypeError(`${JSON.stringify(method)} is not a VK method name (expected section.method, e.g. users.get)`);
  }
  return method;
}
