// npm run corrections:propose -- DRIFT.jsonl [--out FILE]
// Turns the drift an app recorded with `recordDrift()` into proposed corrections for
// schema/corrections/: each problem the response check finds is traced to the schema
// definition it belongs to, with the operation that would describe what VK sent (a
// property the schema lacks, a required property VK left out, an enum value the
// schema omits) and the record as its evidence. What cannot be placed that way (a
// value of another type, a property inside an array item) is listed for review.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ErrorObject } from 'ajv';
import { definitionNodes, responseValidator } from '../src/validation/validators.js';

export interface DriftLine {
  method: string;
  params?: Record<string, unknown>;
  response: unknown;
  recordedAt?: string;
}

/** One proposed correction, in the shape of a definitions entry of schema/corrections/. */
export interface Proposal {
  target: string;
  path?: string;
  why: string;
  /** `<file>:<line> (<method>, <recordedAt>)`: replace with a public link to the recorded reply before sending. */
  evidence: string[];
  addProperties?: Record<string, object>;
  optional?: string[];
  addEnumValues?: (string | number)[];
}

export interface ProposalReport {
  proposals: Proposal[];
  /** Problems no operation describes, to review by hand. */
  unplaced: string[];
}

interface Owner {
  definition: string;
  /** Property names from the definition to the node; undefined when an array item or a union branch lies between. */
  path: string[] | undefined;
}

/** Every object node of every definition, with where it sits. */
function ownersOf(definitions: Readonly<Record<string, object>>): Map<object, Owner> {
  const owners = new Map<object, Owner>();
  const walk = (node: unknown, owner: Owner): void => {
    if (typeof node !== 'object' || node === null || owners.has(node)) return;
    owners.set(node, owner);
    const schema = node as Record<string, unknown>;
    for (const [name, child] of Object.entries((schema['properties'] as Record<string, unknown> | undefined) ?? {})) {
      walk(child, { definition: owner.definition, path: owner.path && [...owner.path, name] });
    }
    const branches = [schema['items'], schema['additionalProperties'], ...((schema['anyOf'] as unknown[]) ?? []), ...((schema['oneOf'] as unknown[]) ?? [])];
    for (const child of branches) walk(child, { definition: owner.definition, path: undefined });
  };
  // A response definition is validated as its payload; in the schema it sits under `response`.
  for (const [name, node] of Object.entries(definitions)) walk(node, { definition: name, path: name.endsWith('_response') ? ['response'] : [] });
  return owners;
}

/** The smallest schema that describes `value`. */
function schemaOf(value: unknown): object {
  if (Number.isInteger(value)) return { type: 'integer' };
  if (typeof value === 'number') return { type: 'number' };
  if (typeof value === 'string' || typeof value === 'boolean') return { type: typeof value };
  if (Array.isArray(value)) return { type: 'array', ...(value.length > 0 ? { items: schemaOf(value[0]) } : {}) };
  if (typeof value === 'object' && value !== null) {
    return { type: 'object', properties: Object.fromEntries(Object.entries(value).map(([key, item]) => [key, schemaOf(item)])) };
  }
  return {};
}

function proposalFor(byPlace: Map<string, Proposal>, owner: Owner & { path: string[] }): Proposal {
  const path = owner.path.join('.');
  const key = `${owner.definition} ${path}`;
  let proposal = byPlace.get(key);
  if (!proposal) byPlace.set(key, (proposal = { target: owner.definition, ...(path ? { path } : {}), why: '', evidence: [] }));
  return proposal;
}

/** Adds what one ajv error says to the proposal of its place, and returns that
 * proposal; undefined when no operation describes the error. */
function propose(byPlace: Map<string, Proposal>, error: ErrorObject, owner: Owner | undefined): Proposal | undefined {
  if (!owner?.path) return undefined;
  const place = { ...owner, path: owner.path };
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = (error.params as { additionalProperty: string }).additionalProperty;
      const value = (error.data as Record<string, unknown>)[name];
      const proposal = proposalFor(byPlace, place);
      (proposal.addProperties ??= {})[name] ??= schemaOf(value);
      return proposal;
    }
    case 'required': {
      const name = (error.params as { missingProperty: string }).missingProperty;
      const proposal = proposalFor(byPlace, place);
      if (!(proposal.optional ??= []).includes(name)) proposal.optional.push(name);
      return proposal;
    }
    case 'enum': {
      if (typeof error.data !== 'string' && typeof error.data !== 'number') return undefined;
      const proposal = proposalFor(byPlace, place);
      if (!(proposal.addEnumValues ??= []).includes(error.data)) proposal.addEnumValues.push(error.data);
      return proposal;
    }
    default:
      return undefined;
  }
}

function reason(proposal: Proposal): string {
  const parts = [
    proposal.addProperties && `VK sent ${Object.keys(proposal.addProperties).join(', ')}, which the schema lacks`,
    proposal.optional && `VK left out ${proposal.optional.join(', ')}, which the schema requires`,
    proposal.addEnumValues && `VK sent ${proposal.addEnumValues.map((value) => JSON.stringify(value)).join(', ')}, which the enum omits`,
  ];
  return parts.filter(Boolean).join('; ');
}

/** The proposals the records support; `source` names the file in their evidence. */
export async function proposeCorrections(records: readonly DriftLine[], source: string): Promise<ProposalReport> {
  const owners = ownersOf(await definitionNodes());
  const byPlace = new Map<string, Proposal>();
  const unplaced: string[] = [];
  for (const [index, record] of records.entries()) {
    const validate = await responseValidator(record.method, record.params);
    if (validate(record.response)) continue;
    const evidence = `${source}:${index + 1} (${record.method}${record.recordedAt ? `, ${record.recordedAt}` : ''})`;
    for (const error of validate.errors ?? []) {
      const proposal = propose(byPlace, error, owners.get(error.parentSchema as object));
      if (proposal === undefined) {
        unplaced.push(`${evidence}: response${error.instancePath.replaceAll('/', '.')} ${error.message ?? error.keyword}`);
      } else if (!proposal.evidence.includes(evidence)) {
        proposal.evidence.push(evidence);
      }
    }
  }
  const proposals = [...byPlace.values()].map((proposal) => ({ ...proposal, why: reason(proposal) }));
  return { proposals, unplaced: [...new Set(unplaced)] };
}

/** The records of a file `recordDrift` wrote; a line that is not a record is an error naming it. */
export function readDriftFile(file: string): DriftLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, index) => [line.trim(), index + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, number]) => {
      let record: Partial<DriftLine>;
      try {
        record = JSON.parse(line) as Partial<DriftLine>;
      } catch {
        throw new Error(`${file}:${number}: not JSON`);
      }
      if (typeof record.method !== 'string' || !('response' in record)) {
        throw new Error(`${file}:${number}: not a drift record (it needs method and response)`);
      }
      return record as DriftLine;
    });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) throw new Error('usage: npm run corrections:propose -- DRIFT.jsonl [--out FILE]');
  const report = await proposeCorrections(readDriftFile(file), file);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
  console.error(
    `corrections:propose: ${report.proposals.length} proposed correction(s), ${report.unplaced.length} problem(s) to review by hand. ` +
      'Before sending them, replace each evidence line with a public link to the recorded reply.',
  );
}

// Run as a script, not when the tests import proposeCorrections.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`corrections:propose: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
