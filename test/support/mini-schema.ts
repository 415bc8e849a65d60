// Writes small VK-style schemas (one folder per section, errors.json) into a
// temp folder, so generator tests state exactly the quirk they exercise.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MiniSection {
  methods?: object[];
  objects?: Record<string, object>;
  responses?: Record<string, object>;
}

export function writeMiniSchema(sections: Record<string, MiniSection>, version = '5.199'): string {
  const dir = mkdtempSync(join(tmpdir(), 'vk-typed-schema-'));
  for (const [name, section] of Object.entries(sections)) {
    mkdirSync(join(dir, name));
    if (section.methods) writeFileSync(join(dir, name, 'methods.json'), JSON.stringify({ version, methods: section.methods }));
    if (section.objects) writeFileSync(join(dir, name, 'objects.json'), JSON.stringify({ definitions: section.objects }));
    if (section.responses) {
      writeFileSync(join(dir, name, 'responses.json'), JSON.stringify({ definitions: section.responses }));
    }
  }
  writeFileSync(
    join(dir, 'errors.json'),
    JSON.stringify({
      version,
      errors: {
        api_error_unknown: { code: 1, description: 'Unknown error occurred', global: true },
        api_error_param: { code: 100, description: 'One of the parameters specified was missing or invalid' },
      },
      definitions: { subcodes: { some_subcode: { subcode: 1000, description: 'A subcode' } } },
    }),
  );
  return dir;
}

/** `../<section>/objects.json#/definitions/<name>` */
export const ref = (section: string, name: string, kind: 'objects' | 'responses' = 'objects') => ({
  $ref: `../${section}/${kind}.json#/definitions/${name}`,
});
