// The fake server's `execute`: runs the scripts the runtime sends (the form that
// src/pipeline/execute-script.ts writes: `return [API.a.b({...}), ...];`) against the
// fake's own method handlers, the way VK does: a failed call yields `false` in
// its place and an entry in `execute_errors`.

export interface ExecuteOutcome {
  response: unknown[];
  execute_errors?: { method: string; error_code: number; error_msg: string }[];
}

/** A method's outcome inside the script: its result, or the VK error it fails with. */
export type ScriptCallResult = { result: unknown } | { error: { error_code: number; error_msg: string } };

/** Parses the calls of a batch script; anything else is a compile error, as VK would say. */
export function parseBatchScript(code: string): { method: string; params: Record<string, string> }[] {
  const body = /^return \[(.*)\];$/s.exec(code.trim())?.[1];
  if (body === undefined) throw new SyntaxError('the fake execute runs only `return [API.x.y({...}), ...];`');
  const calls: { method: string; params: Record<string, string> }[] = [];
  let at = 0;
  while (at < body.length) {
    const head = /^\s*API\.([a-zA-Z]+\.[a-zA-Z0-9]+)\(/.exec(body.slice(at));
    if (!head) throw new SyntaxError(`unexpected script at ${at}: ${body.slice(at, at + 30)}`);
    at += head[0].length;
    const end = jsonEnd(body, at);
    calls.push({ method: head[1]!, params: JSON.parse(body.slice(at, end)) as Record<string, string> });
    at = end;
    const tail = /^\)\s*(,\s*)?/.exec(body.slice(at));
    if (!tail) throw new SyntaxError(`expected ")" at ${at}`);
    at += tail[0].length;
  }
  return calls;
}

/** The index just past the JSON object that starts at `start`. */
function jsonEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new SyntaxError('unterminated params object');
}

export async function runBatchScript(
  code: string,
  run: (method: string, params: Record<string, string>) => Promise<ScriptCallResult>,
): Promise<ExecuteOutcome> {
  const response: unknown[] = [];
  const errors: NonNullable<ExecuteOutcome['execute_errors']> = [];
  for (const { method, params } of parseBatchScript(code)) {
    const outcome = await run(method, params);
    if ('result' in outcome) response.push(outcome.result);
    else {
      response.push(false);
      errors.push({ method, ...outcome.error });
    }
  }
  return errors.length > 0 ? { response, execute_errors: errors } : { response };
}
