// The command line: `vk-typed <method> key=value ... [flags]` or `vk-typed --help
// [topic]`, read by Node's own `util.parseArgs` (strict: an unknown flag is an error).

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './outcome.js';

/** The flags, as `--help` lists them. */
export const flagHelp: readonly (readonly [flag: string, meaning: string])[] = [
  ['--token <token>', 'access token (default: $VK_TOKEN, which keeps it out of the process list)'],
  ['--api-base-url <url>', 'API endpoint (default: https://api.vk.ru/method)'],
  ['--timeout <ms>', 'per request (default: 10000)'],
  ['--lang <code>', "language of VK's replies (ru, en, ...)"],
  ['-h, --help [topic]', 'this help, or a method\'s ("users.get") or a section\'s ("users")'],
];

const flags = {
  token: { type: 'string' },
  'api-base-url': { type: 'string' },
  timeout: { type: 'string' },
  lang: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export type CommandLine =
  | { readonly kind: 'help'; readonly topic: string | undefined }
  | {
      readonly kind: 'call';
      readonly method: string;
      /** The `key=value` arguments, as given. */
      readonly assignments: readonly string[];
      readonly token: string | undefined;
      readonly apiBaseUrl: string | undefined;
      readonly timeout: number | undefined;
      readonly lang: string | undefined;
    };

/** Reads `argv` (without node and the script); `env` gives `VK_TOKEN`. Throws a `UsageError`. */
export function readCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine {
  const { values, positionals } = parseFlags(argv);
  if (values.help) {
    if (positionals.length > 1) throw new UsageError('--help takes one topic: a method or a section');
    return { kind: 'help', topic: positionals[0] };
  }
  const [method, ...assignments] = positionals;
  if (method === undefined) throw new UsageError('no method given');
  return {
    kind: 'call',
    method,
    assignments,
    // An empty variable is an unset one, as in most tools.
    token: values.token || env['VK_TOKEN'] || undefined,
    apiBaseUrl: values['api-base-url'] === undefined ? undefined : checkUrl(values['api-base-url']),
    timeout: values.timeout === undefined ? undefined : checkTimeout(values.timeout),
    lang: values.lang,
  };
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: flags, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs words its errors for a command line (and never quotes a flag's value).
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function checkUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url === undefined || !['http:', 'https:'].includes(url.protocol)) {
    throw new UsageError(`--api-base-url must be an http(s) URL, got "${text}"`);
  }
  return text;
}

function checkTimeout(text: string): number {
  const ms = Number(text);
  if (!(/^\d+$/.test(text) && Number.isSafeInteger(ms) && ms > 0)) {
    throw new UsageError(`--timeout must be a whole number of milliseconds above 0, got "${text}"`);
  }
  return ms;
}
