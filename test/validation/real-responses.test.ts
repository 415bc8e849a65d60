// Every reply VK really sent (../shared/real-responses/), through the SDK: at run
// time, answered by the fake VK to a session with `validateResponses: 'throw'`; and in
// the types, each reply assigned to the response type `call()` gives its params,
// compiled by tsc. A reply passes both, or is listed in real-responses-exemptions.json
// with its reason and the paths where its pre-5.199 shape may differ, and nowhere else.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ts from 'typescript';
import { API, ResponseValidationError } from '../../src/index.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { repoRoot } from '../support/paths.js';

interface RealReply {
  file: string;
  method: string;
  params: Record<string, unknown>;
  response: unknown;
}

interface Exemption {
  why: string;
  paths: string[];
}

const repliesDir = resolve(repoRoot, '../shared/real-responses');
const replies: RealReply[] = readdirSync(repliesDir)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...(JSON.parse(readFileSync(join(repliesDir, file), 'utf8')) as Omit<RealReply, 'file'>) }));
const exemptions = (
  JSON.parse(readFileSync(new URL('./real-responses-exemptions.json', import.meta.url), 'utf8')) as {
    replies: Record<string, Exemption>;
  }
).replies;

const token = 'vk1.a.REAL_RESPONSES_TOKEN_0123456789';
let server: FakeVk;
let api: API;

/** A problem's path with every index as [*], as the exemptions list them. */
const anyIndex = (path: string) => path.replace(/\[\d+\]/g, '[*]');

/** What the session's response check finds in `reply`: [] when it passes. */
async function runtimeProblems(reply: RealReply): Promise<string[]> {
  server.reply(reply.method, () => reply.response);
  try {
    await api.call(reply.method as 'users.get', reply.params as never);
    return [];
  } catch (error) {
    if (!(error instanceof ResponseValidationError)) throw error;
    return error.problems.map((problem) => problem.path);
  }
}

describe('real VK replies at run time (validateResponses: throw)', () => {
  before(async () => {
    server = await startFakeVk({ tokens: [token] });
    api = new API({ accessToken: token, apiBaseUrl: server.apiBaseUrl, rateLimit: false, maxRetries: 0, validateResponses: 'throw' });
  });
  after(async () => {
    await api.close();
    await server.close();
  });

  test(`the shared folder holds the ${replies.length} replies, and every exemption names one of them`, () => {
    assert.ok(replies.length >= 44);
    const files = new Set(replies.map((reply) => reply.file));
    assert.deepEqual(Object.keys(exemptions).filter((file) => !files.has(file)), []);
  });

  for (const reply of replies) {
    const exemption = exemptions[reply.file];
    test(`${reply.file} (${reply.method})${exemption ? ': differs only where its old shape does' : ''}`, async () => {
      const problems = await runtimeProblems(reply);
      if (!exemption) {
        assert.deepEqual(problems, [], 'a reply VK sent fails the response check');
        return;
      }
      assert.ok(problems.length > 0, 'the reply passes now: remove it from real-responses-exemptions.json');
      const allowed = new Set(exemption.paths);
      assert.deepEqual(problems.filter((path) => !allowed.has(anyIndex(path))), [], `problems beyond the listed old shape (${exemption.why})`);
    });
  }
});

/** One file that assigns each reply to the response type of its call. */
function typedReplies(checked: readonly RealReply[]): string {
  const lines = [
    "import type { MethodName, MethodParams, SelectResponse } from '../../src/index.js';",
    'declare function reply<M extends MethodName, const P extends MethodParams<M>>(method: M, params: P, response: SelectResponse<M, P>): void;',
  ];
  for (const { file, method, params, response } of checked) {
    lines.push(`// ${file}`, `reply(${JSON.stringify(method)}, ${JSON.stringify(params)}, ${JSON.stringify(response)});`);
  }
  return `${lines.join('\n')}\n`;
}

test('real VK replies in the types: each one not exempted is assignable to the response its params select', () => {
  const checked = replies.filter((reply) => !exemptions[reply.file]);
  const path = join(repoRoot, 'test/validation/real-replies.generated-check.ts');
  const source = typedReplies(checked);
  const config = ts.readConfigFile(join(repoRoot, 'tsconfig.json'), ts.sys.readFile);
  const options = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot).options;
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => file === path || fileExists.call(host, file);
  host.readFile = (file) => (file === path ? source : readFile.call(host, file));
  host.getSourceFile = (file, language, ...rest) =>
    file === path ? ts.createSourceFile(file, source, language) : getSourceFile.call(host, file, language, ...rest);
  const program = ts.createProgram([path], options, host);
  const lines = source.split('\n');
  const failures = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line ?? 0;
    const reply = lines.slice(0, line).findLast((text) => text.startsWith('// '))?.slice(3) ?? '?';
    return `${reply}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').slice(0, 400)}`;
  });
  assert.deepEqual(failures, []);
  assert.ok(checked.length >= 27, `${checked.length} replies type-checked`);
});
