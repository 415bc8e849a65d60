// The login pages' HTML parser, loaded on a session's first login rather than at import
// (as undici is, see ../http/load-undici.ts): a program using a token it already has
// never needs it.

import { createRequire } from 'node:module';
import type * as HtmlParser from 'parse5';

const require = createRequire(import.meta.url);
let htmlParserModule: typeof HtmlParser | undefined;

export function htmlParser(): typeof HtmlParser {
  htmlParserModule ??= require('parse5') as typeof HtmlParser;
  return htmlParserModule;
}
