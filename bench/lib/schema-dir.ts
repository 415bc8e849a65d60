// The pinned schema the benches read: $VK_API_SCHEMA_DIR, else ../shared/vk-api-schema.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from './processes.js';

export function schemaDir(): string {
  const dir = resolve(repoRoot, process.env.VK_API_SCHEMA_DIR ?? '../shared/vk-api-schema');
  if (!existsSync(resolve(dir, 'users/objects.json'))) throw new Error(`no VK API schema at ${dir}`);
  return dir;
}
