// Child of bench/compare-consumers.ts: a TypeScript language service on one consumer
// project, held as an editor holds it, timing the completions at `api.users.`: once
// cold (the program built, the SDK's types read), then after each of N edits of the
// file (a keystroke's work: the program updated, the completions listed again).
// `ts5`: TypeScript 5.9's LanguageService, in this process. `ts7`: TypeScript 7's API
// (`typescript/unstable/sync`, the native server in a child process), whose snapshot
// update after an edit is timed with the completions, as the LanguageService's is.
// Prints JSON: { coldMs, warmMs: [...], entries }.
// Usage: tsx bench/lib/completion-latency.ts <ts5|ts7> <consumer dir> <edits>
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

interface Editor {
  /** Lists the completions at the position (bringing the program up to date first). */
  complete(): string[];
  /** Replaces the file's text, as a keystroke does. */
  edit(text: string): void;
  close(): void;
}

const [engine, dir, editsText] = process.argv.slice(2);
if (dir === undefined || editsText === undefined || (engine !== 'ts5' && engine !== 'ts7')) {
  throw new Error('usage: completion-latency.ts <ts5|ts7> <consumer dir> <edits>');
}
const file = join(dir, 'index.ts');
const original = readFileSync(file, 'utf8');
const marker = 'api.users.';
const position = original.indexOf(marker) + marker.length;
if (position < marker.length) throw new Error(`${file} has no "${marker}"`);

function ts5Editor(): Editor {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(dir!, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (parsed === undefined) throw new Error(`no tsconfig.json in ${dir}`);
  let text = original;
  let version = 0;
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => parsed.options,
    getScriptFileNames: () => parsed.fileNames,
    getScriptVersion: (name) => (name === file ? String(version) : '0'),
    getScriptSnapshot: (name) => {
      const content = name === file ? text : ts.sys.readFile(name);
      return content === undefined ? undefined : ts.ScriptSnapshot.fromString(content);
    },
    getCurrentDirectory: () => dir!,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  return {
    complete: () => service.getCompletionsAtPosition(file, position, {})?.entries.map((entry) => entry.name) ?? [],
    edit(next) {
      text = next;
      version += 1;
    },
    close: () => service.dispose(),
  };
}

interface Ts7Api {
  updateSnapshot(params: object): Ts7Snapshot;
  close(): void;
}
interface Ts7Snapshot {
  getProject(configFile: string): { checker: { getCompletionsAtPosition(file: string, position: number): { entries: { name: string }[] } | undefined } } | undefined;
  dispose(): void;
}

async function ts7Editor(): Promise<Editor> {
  const require = createRequire(import.meta.url);
  const ts7 = createRequire(require.resolve('vk-typed-ts7/package.json'));
  const { API } = (await import(pathToFileURL(ts7.resolve('typescript/unstable/sync')).href)) as {
    API: new (options: { cwd: string }) => Ts7Api;
  };
  const config = join(dir!, 'tsconfig.json');
  const api = new API({ cwd: dir! });
  // Opened by the first completion, so that the cold figure includes loading the project.
  let snapshot: Ts7Snapshot | undefined;
  let edited = false;
  return {
    complete() {
      if (snapshot === undefined) {
        snapshot = api.updateSnapshot({ openProjects: [config], openFiles: [file] });
      } else if (edited) {
        const next = api.updateSnapshot({ fileChanges: { changed: [file] } });
        snapshot.dispose();
        [snapshot, edited] = [next, false];
      }
      const project = snapshot.getProject(config);
      if (project === undefined) throw new Error(`TypeScript 7 loaded no project from ${config}`);
      return project.checker.getCompletionsAtPosition(file, position)?.entries.map((entry) => entry.name) ?? [];
    },
    edit(next) {
      // The native server reads the file from disk, told which one changed.
      writeFileSync(file, next);
      edited = true;
    },
    close() {
      writeFileSync(file, original);
      api.close();
    },
  };
}

function timed(editor: Editor): { ms: number; names: string[] } {
  const started = performance.now();
  const names = editor.complete();
  return { ms: performance.now() - started, names };
}

const editor = engine === 'ts5' ? ts5Editor() : await ts7Editor();
try {
  const cold = timed(editor);
  // The SDK's own section: a list without its methods would time the wrong thing.
  for (const method of ['get', 'search']) {
    if (!cold.names.includes(method)) throw new Error(`no "${method}" among the completions at ${marker}: ${cold.names.slice(0, 10).join(', ')}`);
  }
  const warmMs: number[] = [];
  for (let edit = 1; edit <= Number(editsText); edit += 1) {
    // Appended after the calls, so the position of `api.users.` stays where it was.
    editor.edit(`${original}\n// edit ${edit}\n`);
    warmMs.push(timed(editor).ms);
  }
  console.log(JSON.stringify({ coldMs: cold.ms, warmMs, entries: cold.names.length }));
} finally {
  editor.close();
}
