// The event types emitted from callback/objects.json (codegen/emit-events.ts): every
// event name of the schema and of the long poll settings is typed, a gap the
// corrections do not fill stops the generator, the output does not change between runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCorrections, type Corrections } from '../../codegen/corrections.js';
import { generateSources } from '../../codegen/generate.js';
import { groupEventTypes } from '../../generated/events.js';
import { writeMiniSchema, ref } from '../support/mini-schema.js';
import { repoRoot } from '../support/paths.js';

const schemaDir = join(repoRoot, '../shared/vk-api-schema');
const definitionsOf = (folder: string) =>
  (JSON.parse(readFileSync(join(schemaDir, folder, 'objects.json'), 'utf8')) as { definitions: Record<string, { enum?: string[]; properties?: object }> }).definitions;

test("every event the schema names (callback_type, the long poll settings) is typed; confirmation is not an event", () => {
  const callback = definitionsOf('callback');
  const named = callback['callback_type']!.enum!.filter((name) => name !== 'confirmation');
  assert.deepEqual(named.filter((name) => !groupEventTypes.has(name)), []);
  const settings = Object.keys(definitionsOf('groups')['groups_long_poll_events']!.properties!);
  assert.deepEqual(settings.filter((name) => !groupEventTypes.has(name)), []);
  assert.equal(groupEventTypes.has('confirmation'), false);
  // The definitions callback_type leaves out, added by the corrections.
  for (const name of ['like_add', 'like_remove', 'message_event', 'vkpay_transaction', 'app_payload', 'donut_subscription_create', 'donut_money_withdraw_error']) {
    assert.ok(groupEventTypes.has(name), name);
  }
  assert.equal(groupEventTypes.size, named.length + 12);
});

const base = {
  type: 'object',
  properties: {
    type: { ...ref('callback', 'callback_type'), required: true },
    group_id: { type: 'integer', required: true },
    event_id: { type: 'string', required: true },
    v: { type: 'string', required: true },
  },
};
const object = (properties: Record<string, object>) => ({ type: 'object', properties });

function generate(objects: Record<string, object>, corrections: Corrections = {}, settings?: object) {
  const dir = writeMiniSchema({
    callback: { objects: { callback_base: base, ...objects } },
    ...(settings === undefined ? {} : { groups: { objects: { groups_long_poll_events: settings } } }),
  });
  return generateSources(dir, corrections);
}

const evidence = ['https://dev.vk.com/ru/api/community-events/json-schema'];

test('an event name without its definition stops the generator until a correction fills the gap', () => {
  const objects = {
    callback_type: { type: 'string', enum: ['thing_new', 'thing_edit', 'confirmation'] },
    callback_thing_new: object({ id: { type: 'integer', required: true } }),
  };
  assert.throws(() => generate(objects), /event thing_edit has no definition callback_thing_edit.*schema\/corrections\/events\.json/);
  const { files } = generate(objects, {
    newDefinitions: { callback_thing_edit: { why: 'it carries a thing', evidence, folder: 'callback', schema: ref('callback', 'callback_thing_new') } },
  });
  const events = files.get('events.ts')!;
  assert.match(events, /export interface ThingEditEvent extends GroupEventBase \{\n {2}type: "thing_edit";\n {2}object: CallbackThingEdit;/);
  assert.match(events, /export type KnownGroupEvent = ThingEditEvent \| ThingNewEvent;/);
  assert.doesNotMatch(events, /Confirmation/);
});

test('a definition the enum leaves out joins it by a correction; a long poll setting naming no event stops the generator', () => {
  const objects = {
    callback_type: { type: 'string', enum: ['thing_new'] },
    callback_thing_new: object({ id: { type: 'integer' } }),
    callback_thing_gone: object({ id: { type: 'integer' } }),
  };
  const settings = object({ thing_new: { type: 'integer' }, thing_gone: { type: 'integer' } });
  assert.throws(() => generate(objects, {}, settings), /groups_long_poll_events\.thing_gone is not in callback_type/);
  const { files } = generate(objects, { definitions: { callback_type: { why: 'VK sends thing_gone', evidence, addEnumValues: ['thing_gone'] } } }, settings);
  assert.match(files.get('events.ts')!, /thing_gone: ThingGoneEvent;/);
});

test('the required correction makes a property VK always sends required, and is stale once the schema does', () => {
  const objects = {
    callback_type: { type: 'string', enum: ['thing_new'] },
    callback_thing_new: object({ message: { type: 'string' } }),
  };
  const required: Corrections = { definitions: { callback_thing_new: { why: 'always sent', evidence, required: ['message'] } } };
  assert.match(generate(objects).files.get('types/callback.ts')!, /message\?: string;/);
  assert.match(generate(objects, required).files.get('types/callback.ts')!, /\nmessage: string;/);
  const already = { ...objects, callback_thing_new: object({ message: { type: 'string', required: true } }) };
  assert.throws(() => generate(already, required), /no longer applies: the schema requires it now/);
});

test('a schema without community events emits no events module; the same input gives the same bytes', () => {
  const dir = writeMiniSchema({ things: { objects: { things_thing: object({ id: { type: 'integer' } }) } } });
  assert.equal(generateSources(dir, {}).files.has('events.ts'), false);
  const corrections = readCorrections(join(repoRoot, 'schema/corrections'));
  const first = generateSources(schemaDir, corrections).files.get('events.ts');
  const second = generateSources(schemaDir, readCorrections(join(repoRoot, 'schema/corrections'))).files.get('events.ts');
  assert.ok(first !== undefined && first === second);
});
