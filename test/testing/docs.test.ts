// docs/testing.md shows example.test.ts as users write it: its last ```ts block is
// that file word for word (after its header comment), importing from the package.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths.js';

test("docs/testing.md's complete test is test/testing/example.test.ts, which npm test runs", () => {
  const doc = readFileSync(join(repoRoot, 'docs/testing.md'), 'utf8');
  assert.match(doc, /^---\ntitle: Testing your code\ngroup: Guides\n---\n/);
  const shown = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].at(-1)?.[1];
  const example = readFileSync(join(repoRoot, 'test/testing/example.test.ts'), 'utf8');
  const asUsersWriteIt = example
    .slice(example.indexOf('import '))
    .replaceAll("'../../src/testing/index.js'", "'vk-typed/testing'")
    .replaceAll("'../../src/index.js'", "'vk-typed'");
  assert.equal(shown, asUsersWriteIt);
});
