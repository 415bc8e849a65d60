// Interactive mode (the seed's InteractiveMixin): asks on the terminal for whatever a
// session was not given. Login, password and token are asked once and cached;
// captcha answers and 2FA codes each time VK asks. Secrets are typed without echo.

import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { AuthError } from '../auth/auth-error.js';
import type { CaptchaAnswer } from '../auth/challenges.js';
import { untilAborted } from '../core/until-aborted.js';
import type { CaptchaError } from './error-recovery.js';

/** Where interactive mode reads and writes; the process's terminal by default. */
export interface InteractiveStreams {
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream & { isTTY?: boolean };
}

const prompts = {
  login: 'VK user login: ',
  password: 'VK user password: ',
  accessToken: 'VK API access token: ',
  captchaUrl: 'Open CAPTCHA image url: ',
  captchaKey: 'Enter CAPTCHA key: ',
  captchaPage: 'Open CAPTCHA page url: ',
  successToken: 'Enter CAPTCHA success token: ',
  authCheckCode: 'Auth check code: ',
} as const;

export class Prompter {
  readonly #input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly #output: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #cache = new Map<string, Promise<string>>();
  /** Lines read but not yet asked for (a pasted block arrives in one chunk). */
  readonly #lines: string[] = [];
  /** Questions wait here for the one before them, so prompts never interleave. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(streams: InteractiveStreams = {}) {
    this.#input = streams.input ?? process.stdin;
    this.#output = streams.output ?? process.stdout;
  }

  userLogin(): Promise<string> {
    return this.#once(prompts.login, false);
  }

  userPassword(): Promise<string> {
    return this.#once(prompts.password, true);
  }

  accessToken(): Promise<string> {
    return this.#once(prompts.accessToken, true);
  }


  /** Asks for a captcha's answer: for VK's newer captcha (a page at `redirectUri`,
   * which wins, as in VK's docs) the success token the page gives, typed without
   * echo; else the key read off `captchaImg`. Undefined when there is neither.
   * `signal` withdraws the question (the call it is for was given up). */
  captchaAnswer(
    captcha: Pick<CaptchaError, 'captchaImg' | 'redirectUri'>,
    signal?: AbortSignal,
  ): Promise<CaptchaAnswer> | undefined {
    if (captcha.redirectUri !== undefined) return this.#captchaSuccessToken(captcha.redirectUri, signal);
    if (captcha.captchaImg !== undefined) return this.#captchaKey(captcha.captchaImg, signal);
    return undefined;
  }

  #captchaKey(imageUrl: string, signal: AbortSignal | undefined): Promise<string> {
    return this.#ask(prompts.captchaKey, false, `${prompts.captchaUrl}${imageUrl}\n`, signal);
  }

  async #captchaSuccessToken(pageUrl: string, signal: AbortSignal | undefined): Promise<CaptchaAnswer> {
    const successToken = await this.#ask(prompts.successToken, true, `${prompts.captchaPage}${pageUrl}\n`, signal);
    return { successToken: successToken.trim() };
  }

  authCheckCode(): Promise<string> {
    return this.#ask(prompts.authCheckCode, false);
  }

  /** Asks `question` the first time; later (and concurrent) asks share that answer.
   * A failed ask is forgotten, so the next one asks again. */
  #once(question: string, hidden: boolean): Promise<string> {
    let answer = this.#cache.get(question);
    if (answer === undefined) {
      answer = this.#ask(question, hidden);
      answer.catch(() => this.#cache.delete(question));
      this.#cache.set(question, answer);
    }
    return answer;
  }

  /** `signal` withdraws the question: still queued, it is never asked; being asked,
   * the reader closes (the next question gets a fresh one, and lines typed ahead). */
  #ask(question: string, hidden: boolean, preface = '', signal?: AbortSignal): Promise<string> {
    const answer = this.#queue.then(() => {
      signal?.throwIfAborted();
      return this.#read(preface + question, hidden, signal);
    });
    this.#queue = answer.catch(() => undefined);
    return untilAborted(answer, signal);
  }

  async #read(question: string, hidden: boolean, signal: AbortSignal | undefined): Promise<string> {
    this.#output.write(question);
    const buffered = this.#lines.shift();
    if (buffered !== undefined) return buffered;
    if ((this.#input as { readableEnded?: boolean }).readableEnded) {
      throw new AuthError('INPUT_CLOSED', 'credentials', `the input ended before "${question.trim()}" was answered`);
    }

    const terminal = Boolean(this.#input.isTTY && this.#output.isTTY);
    const echo = terminal && hidden ? new SilentTerminal() : this.#output;
    const reader = createInterface({ input: this.#input, output: echo, terminal });
    const onAbort = (): void => reader.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const line = await nextLine(reader, this.#lines, question);
      if (terminal && hidden) this.#output.write('\n');
      return line;
    } catch (error) {
      // Withdrawn: the prompt line is ended, so the next question starts on its own.
      if (signal?.aborted) {
        if (terminal) this.#output.write('\n');
        throw signal.reason;
      }
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Closing lets the process exit; lines already read stay in #lines.
      reader.close();
    }
  }
}

/** The next line `reader` reads; the rest of a multi-line chunk goes to `rest`. */
function nextLine(reader: Interface, rest: string[], question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answered = false;
    reader.on('line', (line) => {
      if (answered) rest.push(line);
      else {
        answered = true;
        resolve(line);
      }
    });
    const fail = (why: string) => () => {
      if (!answered) {
        reject(new AuthError('INPUT_CLOSED', 'credentials', `${why} before "${question.trim()}" was answered`));
      }
    };
    reader.on('SIGINT', fail('interrupted'));
    reader.on('close', fail('the input ended'));
  });
}

/** Stands in for the terminal while a secret is typed: readline's echo goes nowhere. */
class SilentTerminal extends Writable {
  readonly isTTY = true;

  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    callback();
  }
}
