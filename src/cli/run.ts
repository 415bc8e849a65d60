// One run of `vk-typed`: read the command line, then print help or make one call
// through an `API` session (its params check, rate limit and retries included) and
// print the response as JSON. Returns the exit code; never throws.

import { censorValue, isSecretKey } from '../core/censor.js';
import { API } from '../sessions/api.js';
import { methodInfo } from '../../generated/methods.js';
import { helpText, tokenTypes, unknownMethod } from './help.js';
import { readCommandLine, type CommandLine } from './options.js';
import { errorReport, exitCodeOf, exitCodes, UsageError, type ExitCode } from './outcome.js';
import { isSchemaMethod, methodParams } from './param-schemas.js';
import { paramsFromArguments } from './param-values.js';

/** Where a run reads its environment and writes its output. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { readonly isTTY?: boolean; write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Runs the CLI on `argv` (the arguments after the script) and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  // Known before the command line is read, so that even a usage error cannot print it.
  const secrets = [io.env['VK_TOKEN'] ?? '', ...secretArguments(argv)];
  try {
    const commandLine = readCommandLine(argv, io.env);
    if (commandLine.kind === 'help') {
      io.stdout.write(await helpText(commandLine.topic, io.env));
      return exitCodes.ok;
    }
    const response = await call(commandLine);
    io.stdout.write(`${withoutSecrets(toJson(response, io.stdout.isTTY === true), secrets)}\n`);
    return exitCodes.ok;
  } catch (error) {
    io.stderr.write(errorReport(error, secrets));
    return exitCodeOf(error);
  }
}

async function call(commandLine: Extract<CommandLine, { kind: 'call' }>): Promise<unknown> {
  const { method, token } = commandLine;
  if (!isSchemaMethod(method)) throw new UsageError(unknownMethod(method));
  const params = paramsFromArguments(commandLine.assignments, await methodParams(method));
  if (token === undefined && !methodInfo[method].access.includes('open')) {
    throw new UsageError(`${method} needs an access token (${tokenTypes(method)}): set VK_TOKEN or pass --token`);
  }
  const api = new API({
    accessToken: token,
    apiBaseUrl: commandLine.apiBaseUrl,
    timeout: commandLine.timeout,
    lang: commandLine.lang,
  });
  try {
    // By name, as a string: the params are typed at run time, by the schema check.
    const name: string = method;
    return await api.call(name, params);
  } finally {
    await api.close();
  }
}

/** JSON of the response: indented for a person at a terminal, one line for a pipe. */
function toJson(value: unknown, pretty: boolean): string {
  return JSON.stringify(value, null, pretty ? 2 : undefined) ?? 'null';
}

/** The token given with --token, and the values of params named as secrets (`password=...`). */
function secretArguments(argv: readonly string[]): string[] {
  return argv.flatMap((arg, i) => {
    if (arg === '--token') return [argv[i + 1] ?? ''];
    if (arg.startsWith('--token=')) return [arg.slice('--token='.length)];
    const equals = arg.indexOf('=');
    return equals > 0 && isSecretKey(arg.slice(0, equals)) ? [arg.slice(equals + 1)] : [];
  });
}

/** A response never echoes the run's secrets (VK does not send them back; should it, they stay hidden). */
function withoutSecrets(text: string, secrets: readonly string[]): string {
  return secrets.filter((secret) => secret.length >= 4).reduce((out, secret) => out.replaceAll(secret, censorValue(secret)), text);
}
