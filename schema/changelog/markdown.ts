// Renders a changelog as Markdown for a CHANGELOG or a pull request: a summary
// line, then the breaking changes and the others, grouped by kind.
import { changeKinds, type Change, type ChangeKind } from './change.js';

const headings: Record<ChangeKind, string> = {
  'version-changed': 'API version changed',
  'section-added': 'Sections added',
  'section-removed': 'Sections removed',
  'method-added': 'Methods added',
  'method-removed': 'Methods removed',
  'token-type-changed': 'Token types changed',
  'param-added': 'Params added',
  'param-removed': 'Params removed',
  'param-required-changed': 'Params made required or optional',
  'param-type-changed': 'Param types changed',
  'param-default-changed': 'Param defaults changed',
  'param-constraint-changed': 'Param limits changed',
  'enum-value-added': 'Enum values added',
  'enum-value-removed': 'Enum values removed',
  'response-changed': 'Responses changed',
  'object-added': 'Objects added',
  'object-removed': 'Objects removed',
  'object-changed': 'Objects changed',
  'error-added': 'Errors added',
  'error-removed': 'Errors removed',
  'error-changed': 'Errors changed',
};

/** `users.get(fields)`: detail, with a definition name at the start of the detail in code. */
function bullet(entry: Change): string {
  const target = entry.method ? `\`${entry.method}${entry.param ? `(${entry.param})` : ''}\`` : '';
  let detail = entry.detail ?? '';
  const named = /^([\w.[\]{}]+)(: .*| \(.*\))?$/.exec(detail);
  if (!target && named) detail = `\`${named[1]}\`${named[2] ?? ''}`;
  return `- ${[target, detail].filter(Boolean).join(': ')}`;
}

function section(title: string, entries: Change[]): string[] {
  if (entries.length === 0) return [];
  const lines = [`### ${title} (${entries.length})`, ''];
  for (const kind of changeKinds) {
    const ofKind = entries.filter((entry) => entry.kind === kind);
    if (ofKind.length === 0) continue;
    lines.push(`**${headings[kind]}**`, '', ...ofKind.map(bullet), '');
  }
  return lines;
}

/** A line such as `4 methods added, 11 methods removed, 10 params added`. */
export function summarize(changes: Change[]): string {
  const counts = changeKinds
    .map((kind) => [kind, changes.filter((entry) => entry.kind === kind).length] as const)
    .filter(([, count]) => count > 0);
  return counts.map(([kind, count]) => `${count} ${headings[kind].toLowerCase()}`).join(', ');
}

/** The changelog from release `from` to release `to` (tags or folder names). */
export function renderMarkdown(changes: Change[], from: string, to: string): string {
  const breaking = changes.filter((entry) => entry.breaking);
  const lines = [`## VK API schema: ${from} -> ${to}`, ''];
  if (changes.length === 0) {
    lines.push('No changes.', '');
  } else {
    lines.push(`${changes.length} changes, ${breaking.length} of them breaking: ${summarize(changes)}.`, '');
    lines.push(
      ...section('Breaking changes', breaking),
      ...section(
        'Other changes',
        changes.filter((entry) => !entry.breaking),
      ),
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
