// `recordDrift(file)`: an `onResponseProblems` handler that appends every response
// the schema does not describe to a JSON Lines file, secrets censored, so that
// `npm run corrections:propose -- FILE` can turn what an app saw into proposed
// schema corrections (schema/propose-corrections.ts).

import { appendFileSync } from 'node:fs';
import { censorDeep } from '../core/censor.js';
import type { ValidationProblem } from '../core/errors.js';
import type { ResponseProblemsHandler } from './schema-checks.js';

/** One line of the file. */
export interface DriftRecord {
  readonly recordedAt: string;
  readonly method: string;
  readonly params: unknown;
  readonly response: unknown;
  readonly problems: readonly ValidationProblem[];
}

/**
 * Appends each drifting response to `file` (one JSON object a line), then hands the
 * problems to `then` if given. Drift is rare and the line small, so the append is
 * synchronous: the record is on disk before the call returns.
 */
export function recordDrift(file: string, then?: ResponseProblemsHandler): ResponseProblemsHandler {
  if (typeof file !== 'string' || file === '') throw new TypeError('recordDrift needs the path of the file to append to');
  return (method, problems, call) => {
    const record: DriftRecord = {
      recordedAt: new Date().toISOString(),
      method,
      params: censorDeep(call.params),
      response: censorDeep(call.response),
      problems,
    };
    appendFileSync(file, `${JSON.stringify(record)}\n`);
    then?.(method, problems, call);
  };
}
