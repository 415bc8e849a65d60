// The error of an upload that failed for any reason but a VK error (which stays an
// ApiError) or bad input (refused before anything is sent).

import { scrubText } from '../core/censor.js';
import { VkError } from '../core/errors.js';

/**
 * Where an upload failed: reading the file (`source`), getting the upload URL
 * (`server`), sending the file to the upload host (`upload`), or saving it (`save`).
 */
export type UploadStep = 'source' | 'server' | 'upload' | 'save';

const excerptLength = 300;
/** How far past the cut the text is scrubbed: room for a secret that crosses it. */
const scrubbedMargin = 4096;

/** An upload that failed at `step`: the upload host answered with a page that is not
 * JSON (`Security Breach2`), an `{error}`, an HTTP error, or the network failed. */
export class UploadError extends VkError {
  override name = 'UploadError';

  /** The step that failed. */
  readonly step: UploadStep;
  /** The HTTP status the upload host (or the file's URL) answered with, when it answered. */
  readonly status: number | undefined;
  /** The start of the upload host's reply, secrets censored. */
  readonly reply: string | undefined;

  constructor(
    step: UploadStep,
    message: string,
    options: { status?: number | undefined; reply?: string | undefined; cause?: unknown } = {},
  ) {
    // The message may quote the host's reply.
    super(
      `Upload failed at the ${step} step: ${scrubText(message)}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.step = step;
    this.status = options.status;
    this.reply = options.reply === undefined ? undefined : excerptOf(options.reply);
  }
}

/** The start of a reply, censored: scrubbed before it is cut, so that a secret across
 * the cut is still recognised. */
function excerptOf(text: string): string {
  const scrubbed = scrubText(text.slice(0, excerptLength + scrubbedMargin));
  return scrubbed.length > excerptLength ? `${scrubbed.slice(0, excerptLength)}...` : scrubbed;
}
