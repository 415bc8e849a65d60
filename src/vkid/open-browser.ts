// Opens a URL in the desktop's default browser, without a shell (no quoting of the
// URL's `&` to get wrong): `open` on macOS, `rundll32` on Windows, `xdg-open` elsewhere.

import { spawn } from 'node:child_process';

/** Starts the opener and lets it go; `onFailure` hears why it could not start. */
export function openInBrowser(url: string, onFailure: (error: Error) => void): void {
  const [command, ...args] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['rundll32', 'url.dll,FileProtocolHandler', url]
        : ['xdg-open', url];
  try {
    const child = spawn(command!, args, { stdio: 'ignore', detached: true });
    child.once('error', onFailure);
    child.unref();
  } catch (error) {
    onFailure(error instanceof Error ? error : new Error(String(error)));
  }
}
