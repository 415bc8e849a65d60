// Source snippets for the child processes benches spawn (plain JS, run with -e).

/** Defines `call` and `calls(count)`, which runs `count` calls, `concurrency` at a time. */
export function callLoop(call: string, concurrency: number): string {
  return `const call = () => ${call};
const calls = async (count) => {
  let started = 0;
  await Promise.all(Array.from({ length: ${concurrency} }, async () => {
    while (started < count) { started += 1; await call(); }
  }));
};`;
}
