// Help for every method of the schema, and the response type names it shows being
// the very names the generator exported.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeType, helpText, typeNameOf } from '../../src/cli/help.js';
import { methodInfo } from '../../generated/methods.js';
import { responseVariants, type ResponseVariants } from '../../generated/validation/responses.js';
import { repoRoot } from '../support/paths.js';
import { schemaDir } from './fixture.js';

test('every response type name help shows is a type generated/types/ exports', () => {
  const typesDir = join(repoRoot, 'generated/types');
  const exported = new Set(
    readdirSync(typesDir).flatMap((file) =>
      [...readFileSync(join(typesDir, file), 'utf8').matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]!),
    ),
  );
  const definitions = Object.values(responseVariants).flatMap((text) => {
    const variants = JSON.parse(text) as ResponseVariants;
    return [...variants.defaults, ...(variants.selected ?? []).flatMap((variant) => variant.responses)];
  });
  assert.ok(definitions.length > 566);
  assert.deepEqual(
    definitions.map(typeNameOf).filter((name) => !exported.has(name)),
    [],
  );
});

test('every method of the schema has help that names its token types and response', async () => {
  const env = { VK_API_SCHEMA_DIR: schemaDir };
  const methods = Object.keys(methodInfo);
  assert.equal(methods.length, 566);
  for (const method of methods) {
    const text = await helpText(method, env);
    assert.match(text, /^Token types: (?:(?:group|open|service|user)(?:, |$))+|^Token types: not listed in the schema$/m, method);
    assert.match(text, /^Response:/m, method);
    assert.doesNotMatch(text, /No descriptions/, method);
  }
});

test('types as help words them', () => {
  assert.equal(describeType({ type: 'integer', minimum: 0, maximum: 100 }), 'integer 0..100');
  assert.equal(describeType({ type: 'integer', maximum: 5 }), 'integer <= 5');
  assert.equal(describeType({ type: 'boolean' }), 'boolean (1 or 0)');
  assert.equal(describeType({ type: 'string', maxLength: 9000 }), 'string (at most 9000 characters)');
  assert.equal(describeType({ enum: [0, 1, 2] }), 'one of 0, 1, 2');
  assert.equal(
    describeType({ type: 'array', items: { enum: ['a', 'b'] }, maxItems: 3 }),
    'list of one of a, b (a,b or JSON, at most 3)',
  );
  assert.equal(describeType({ anyOf: [{ type: 'string' }, { type: 'object' }] }), 'string or JSON object');
});
