// Which of the project's corrections (schema/corrections/*.json) a schema release
// no longer fits: each is applied on its own, so that every stale one is listed
// with its file, not only the first the generator would stop at.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyCorrections, readCorrections, StaleCorrection, type Corrections } from '../codegen/corrections.js';
import { loadSchema } from '../codegen/load.js';

/** The order the generator applies them in: new definitions first, others may refer to them. */
const kinds = ['newDefinitions', 'methods', 'definitions'] as const;

export interface StaleFinding {
  /** The corrections file, e.g. `wall.json`. */
  file: string;
  kind: (typeof kinds)[number];
  /** The entry's key in that file (a method or definition name). */
  entry: string;
  /** Its place in the entry's list, when the entry is a list of corrections. */
  index?: number;
  /** What no longer fits, e.g. `wall.get(owner_id)`. */
  target: string;
  reason: string;
  /** The schema has what the correction adds (remove it), rather than its target vanishing or changing shape. */
  unnecessary: boolean;
}

/** Entry key -> the file that holds it, per kind. */
function filesOfEntries(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const corrections = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Corrections;
    for (const kind of kinds) for (const key of Object.keys(corrections[kind] ?? {})) files.set(`${kind}:${key}`, file);
  }
  return files;
}

/** Every correction in correctionsDir that does not apply to the schema in schemaDir. */
export function findStaleCorrections(schemaDir: string, correctionsDir: string): StaleFinding[] {
  const corrections = readCorrections(correctionsDir);
  const files = filesOfEntries(correctionsDir);
  const schema = loadSchema(schemaDir);
  const findings: StaleFinding[] = [];
  for (const kind of kinds) {
    for (const [entry, value] of Object.entries(corrections[kind] ?? {})) {
      // A definition may carry a list of corrections, each on its own evidence: check each.
      const list = Array.isArray(value) ? value : [value];
      for (const [index, single] of list.entries()) {
        try {
          applyCorrections(schema, { [kind]: { [entry]: single } });
        } catch (error) {
          if (!(error instanceof StaleCorrection)) throw error;
          const { target, reason, unnecessary } = error;
          const file = files.get(`${kind}:${entry}`) ?? '?';
          findings.push({ file, kind, entry, ...(Array.isArray(value) ? { index } : {}), target, reason, unnecessary });
        }
      }
    }
  }
  return findings;
}

/** `wall.json: wall.get(owner_id): the schema has this param now (unnecessary: remove it)` */
export function describeFinding({ file, target, reason, unnecessary }: StaleFinding): string {
  const advice = unnecessary
    ? 'the release made it unnecessary: remove it'
    : 'it no longer applies: update or remove it';
  return `schema/corrections/${file}: ${target}: ${reason} (${advice})`;
}
