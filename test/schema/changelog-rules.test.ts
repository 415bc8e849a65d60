// The changelog's rules on two small releases that differ in one way each:
// which edits are changes at all, and which changes are breaking (code that
// compiled may stop compiling).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import type { Change } from '../../schema/changelog/change.js';
import { compareReleases, loadRelease } from '../../schema/changelog/compare.js';
import { renderMarkdown } from '../../schema/changelog/markdown.js';
import { ref, writeMiniSchema, type MiniSection } from '../support/mini-schema.js';

const folders: string[] = [];
after(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function release(sections: Record<string, MiniSection>): string {
  const dir = writeMiniSchema(sections);
  folders.push(dir);
  return dir;
}

interface Shape {
  params?: object[];
  thing?: Record<string, object>;
  fields?: string[];
  access?: string[];
  errors?: object[];
}

/** One section: things.get with params, returning a thing; things_fields is an enum. */
function things({ params = [], thing = {}, fields = ['name', 'photo'], access = ['user'], errors }: Shape = {}): Record<
  string,
  MiniSection
> {
  return {
    things: {
      objects: {
        things_thing: { type: 'object', properties: { id: { type: 'integer', required: true }, ...thing } },
        things_fields: { type: 'string', enum: fields },
      },
      responses: {
        things_get_response: {
          type: 'object',
          properties: { response: { ...ref('things', 'things_thing'), required: true } },
        },
      },
      methods: [
        {
          name: 'things.get',
          access_token_type: access,
          parameters: [{ name: 'fields', type: 'array', items: ref('things', 'things_fields') }, ...params],
          responses: { response: ref('things', 'things_get_response', 'responses') },
          ...(errors ? { errors } : {}),
        },
      ],
    },
  };
}

function changes(before: Shape, after: Shape): Change[] {
  return compareReleases(loadRelease(release(things(before))), loadRelease(release(things(after))));
}

test('enum reordering, description edits and format additions are not changes', () => {
  const before: Shape = {
    params: [
      { name: 'owner_id', type: 'integer', description: 'Owner.' },
      { name: 'sort', type: 'string', enum: ['asc', 'desc'] },
    ],
    thing: { date: { type: 'integer', description: 'When' } },
  };
  const after: Shape = {
    params: [
      { name: 'owner_id', type: 'integer', format: 'int64', description: 'The owner, a user or a community.' },
      { name: 'sort', type: 'string', enum: ['desc', 'asc'], enumNames: ['Descending', 'Ascending'] },
    ],
    thing: { date: { type: 'integer', format: 'int32', description: 'Unix time' } },
    fields: ['photo', 'name'],
  };
  assert.deepEqual(changes(before, after), []);
});

test('params: removed, made required or narrowed is breaking; added optional or widened is not', () => {
  const before: Shape = {
    params: [
      { name: 'count', type: 'integer' },
      { name: 'offset', type: 'integer' },
      { name: 'start', type: 'number' },
      { name: 'end', type: 'integer' },
      { name: 'gone', type: 'string' },
    ],
  };
  const after: Shape = {
    params: [
      { name: 'count', type: 'integer', required: true },
      { name: 'offset', type: 'integer' },
      { name: 'start', type: 'integer' },
      { name: 'end', type: 'number' },
      { name: 'extra', type: 'boolean' },
      { name: 'needed', type: 'string', required: true },
    ],
  };
  assert.deepEqual(changes(before, after), [
    { kind: 'param-added', breaking: false, method: 'things.get', param: 'extra' },
    { kind: 'param-added', breaking: true, method: 'things.get', param: 'needed', detail: 'required' },
    { kind: 'param-removed', breaking: true, method: 'things.get', param: 'gone' },
    { kind: 'param-required-changed', breaking: true, method: 'things.get', param: 'count', detail: 'now required' },
    { kind: 'param-type-changed', breaking: false, method: 'things.get', param: 'end', detail: 'integer -> number' },
    { kind: 'param-type-changed', breaking: true, method: 'things.get', param: 'start', detail: 'number -> integer' },
  ]);
});

test('enum values: a removed one is breaking, an added one is not', () => {
  assert.deepEqual(changes({ fields: ['name', 'photo'] }, { fields: ['name', 'city'] }), [
    { kind: 'enum-value-added', breaking: false, detail: 'things_fields: "city"' },
    { kind: 'enum-value-removed', breaking: true, detail: 'things_fields: "photo"' },
  ]);
});

test('responses: a field removed or made optional is breaking, one added or made required is not', () => {
  const before: Shape = {
    thing: { title: { type: 'string', required: true }, owner: { type: 'integer' }, old: { type: 'string' } },
  };
  const after: Shape = {
    thing: { title: { type: 'string' }, owner: { type: 'integer', required: true }, fresh: { type: 'string' } },
  };
  assert.deepEqual(changes(before, after), [
    { kind: 'object-changed', breaking: false, detail: 'things_thing.fresh: property added' },
    { kind: 'object-changed', breaking: true, detail: 'things_thing.old: property removed' },
    { kind: 'object-changed', breaking: false, detail: 'things_thing.owner: now required' },
    { kind: 'object-changed', breaking: true, detail: 'things_thing.title: now optional' },
  ]);
});

test('token types and errors', () => {
  const error = (name: string) => ({ $ref: `../errors.json#/errors/${name}` });
  assert.deepEqual(
    changes(
      { access: ['user', 'group'], errors: [error('api_error_param')] },
      { access: ['user', 'service'], errors: [error('api_error_unknown')] },
    ),
    [
      { kind: 'token-type-changed', breaking: true, method: 'things.get', detail: 'group, user -> service, user' },
      { kind: 'error-added', breaking: false, method: 'things.get', detail: 'api_error_unknown' },
      { kind: 'error-removed', breaking: false, method: 'things.get', detail: 'api_error_param' },
    ],
  );
});

test('methods and sections added and removed; Markdown groups breaking changes first', () => {
  const before = release({
    ...things(),
    old: { methods: [{ name: 'old.ping', access_token_type: ['user'], responses: {} }] },
  });
  const after = release({
    ...things(),
    fresh: { methods: [{ name: 'fresh.ping', access_token_type: ['user'], responses: {} }] },
  });
  const list = compareReleases(loadRelease(before), loadRelease(after));
  assert.deepEqual(list, [
    { kind: 'section-added', breaking: false, detail: 'fresh' },
    { kind: 'section-removed', breaking: true, detail: 'old' },
    { kind: 'method-added', breaking: false, method: 'fresh.ping' },
    { kind: 'method-removed', breaking: true, method: 'old.ping' },
  ]);
  const markdown = renderMarkdown(list, 'v1', 'v2');
  assert.ok(markdown.indexOf('### Breaking changes (2)') < markdown.indexOf('### Other changes (2)'));
  assert.match(markdown, /\*\*Methods removed\*\*\n\n- `old\.ping`\n/);
  assert.equal(renderMarkdown([], 'v1', 'v1'), '## VK API schema: v1 -> v1\n\nNo changes.\n');
});
