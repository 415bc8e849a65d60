// busboy, the multipart parser of the fake upload host: an optional peer dependency of
// vk-typed/testing (only the upload host needs it), loaded when a host starts, so
// that the rest of the kit, and the SDK, install and load without it.

import type busboy from 'busboy';

/** @internal busboy, or an error that says how to install it. */
export async function loadBusboy(): Promise<typeof busboy> {
  try {
    return (await import('busboy')).default;
  } catch (error) {
    throw new Error(
      'the fake upload host of vk-typed/testing parses uploads with busboy: npm install --save-dev busboy',
      { cause: error },
    );
  }
}
