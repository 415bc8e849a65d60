// Worker side of formatSources: formats the files it is handed.
import { parentPort, workerData } from 'node:worker_threads';
import { format, type Options } from 'prettier';

const { files, options } = workerData as { files: [string, string][]; options: Options };
const formatted: [string, string][] = [];
for (const [path, source] of files) {
  try {
    formatted.push([path, await format(source, { ...options, parser: 'typescript' })]);
  } catch (error) {
    throw new Error(`generated ${path} does not parse: ${(error as Error).message}`);
  }
}
parentPort!.postMessage(formatted);
