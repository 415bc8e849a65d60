// undici, loaded on first use rather than at import: its entry point alone costs
// about 120 ms of start-up (it builds fetch, WebSocket, caches...), and a program
// that imports the SDK may never make a request. `require` keeps it synchronous,
// so a session's dispatcher can still be built inside a getter.

import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);
let loaded: typeof Undici | undefined;

export function undici(): typeof Undici {
  loaded ??= require('undici') as typeof Undici;
  return loaded;
}
