// Emits generated/events.ts: the community events of the Callback API and the Bots
// Long Poll API, one interface per event and their union discriminated on `type`,
// from callback/objects.json. The event names are the `callback_type` enum; the
// object of event `x` is the definition `callback_x`. Where the schema has a gap (a
// name without its definition, a definition its enum leaves out) a correction fills
// it (schema/corrections/events.json); a gap left open stops the generator, so a
// schema release that adds an event cannot be published half-typed.
import { flattenObject } from './emit-definitions.js';
import { jsdoc } from './jsdoc.js';
import type { Model } from './model.js';
import { pascalCase } from './names.js';
import { ImportSet, TypeRenderer, union } from './type-expressions.js';

/** The module's path under generated/, without `.ts`. */
export const eventsModule = 'events';

const eventNamesEnum = 'callback_type';
/** The envelope every event comes in: `type`, `group_id`, `event_id`, `v`, `secret`. */
const envelope = 'callback_base';
/** The events a community's long poll settings switch on and off, by name. */
const settingsEvents = 'groups_long_poll_events';
/** The Callback API's request to confirm a server: answered by the handler, never delivered. */
const notDelivered: ReadonlySet<string> = new Set(['confirmation']);

const fixedNames = [
  'GroupEventBase',
  'GroupEventMap',
  'GroupEventType',
  'KnownGroupEvent',
  'UnknownEventType',
  'UnknownGroupEvent',
  'GroupEvent',
];

/** The module's source, or undefined for a schema without community events. */
export function emitEvents(model: Model, header: string): string | undefined {
  const { definitions } = model.schema;
  const namesNode = definitions[eventNamesEnum];
  if (namesNode?.enum === undefined) return undefined;
  const events = [...new Set(namesNode.enum.map(String))].filter((name) => !notDelivered.has(name)).sort();
  checkGaps(model, events);

  const imports = new ImportSet(eventsModule);
  const renderer = new TypeRenderer(model.index, imports, { readonlyArrays: false });
  const base = flattenObject(definitions[envelope]!, definitions);
  if (!base) throw new Error(`${envelope} is not an object`);
  const { type: _type, ...envelopeFields } = base.properties;
  const typeNames = events.map((name) => `${pascalCase(name)}Event`);
  checkNames(model, [...typeNames, ...fixedNames]);

  const interfaces = events.map((name, i) => {
    const definition = `callback_${name}`;
    const object = renderer.ref(definition);
    const doc = jsdoc([definitions[definition]!.description ?? `The \`${name}\` event; its object is {@link ${object}}.`]);
    return `${doc}export interface ${typeNames[i]} extends GroupEventBase {\n  type: ${JSON.stringify(name)};\n  object: ${object};\n}\n`;
  });
  const map = events.map((name, i) => `  ${name}: ${typeNames[i]};\n`).join('');

  return `${header}
${imports.render()}
/** What every community event carries besides its \`type\` and \`object\`. */
export interface GroupEventBase {
${renderer.members(envelopeFields, base.required)}}

${interfaces.join('\n')}
/** Each event type the SDK knows, to the event it names. */
export interface GroupEventMap {
${map}}

/** The name of an event type the SDK knows. */
export type GroupEventType = keyof GroupEventMap;

/** An event of a type the SDK knows. */
export type KnownGroupEvent = ${union(typeNames)};

/**
 * The \`type\` of an event VK sends that the SDK does not know yet. At run time it is
 * the string VK sent; this type (a type only: there is no such enum at run time)
 * keeps it apart from the known names, so that narrowing on \`type\` works and a
 * misspelt name is a compile error. To match a type the SDK does not know yet,
 * compare it as a string: \`(event.type as string) === 'new_event'\`.
 */
export declare enum UnknownEventType {
  NotKnownYet = 'an event type the SDK does not know yet',
}

/** An event of a type the SDK does not know yet: delivered as VK sent it, never dropped. */
export interface UnknownGroupEvent extends GroupEventBase {
  type: UnknownEventType;
  object: unknown;
}

/** A community event, as the Callback API and the Bots Long Poll API deliver it. */
export type GroupEvent = KnownGroupEvent | UnknownGroupEvent;

/** The event types the SDK knows, to tell them from new ones at run time. */
export const groupEventTypes: ReadonlySet<string> = new Set<GroupEventType>([
${events.map((name) => `  ${JSON.stringify(name)},\n`).join('')}]);
`;
}

/** Every event needs its object's definition, and every long poll setting must name an event. */
function checkGaps(model: Model, events: readonly string[]): void {
  const { definitions } = model.schema;
  const undefinedObjects = events.filter((name) => definitions[`callback_${name}`] === undefined);
  const unnamed = Object.keys(definitions[settingsEvents]?.properties ?? {}).filter((name) => !events.includes(name));
  const problems = [
    ...undefinedObjects.map((name) => `event ${name} has no definition callback_${name}`),
    ...unnamed.map((name) => `${settingsEvents}.${name} is not in ${eventNamesEnum}`),
  ];
  if (problems.length > 0) {
    throw new Error(`community events: ${problems.join('; ')}; fill the gap in schema/corrections/events.json`);
  }
}

/** The module's names must not clash with the schema's types, which the package exports beside them. */
function checkNames(model: Model, names: readonly string[]): void {
  const taken = new Set(Object.keys(model.schema.definitions).map((definition) => model.index.typeName(definition)));
  const clashes = names.filter((name) => taken.has(name));
  if (clashes.length > 0) throw new Error(`community events: ${clashes.join(', ')} clash with schema type names`);
}
