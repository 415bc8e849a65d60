// The login flows' libraries, loaded on a session's first login rather than at import
// (as undici is, see ../http/load-undici.ts): tough-cookie and node-html-parser cost about
// 70 ms of start-up that a program using a token it already has never needs.

import { createRequire } from 'node:module';
import type * as HtmlParser from 'node-html-parser';
import type * as ToughCookie from 'tough-cookie';

const require = createRequire(import.meta.url);
let toughCookieModule: typeof ToughCookie | undefined;
let htmlParserModule: typeof HtmlParser | undefined;

export function toughCookie(): typeof ToughCookie {
  toughCookieModule ??= require('tough-cookie') as typeof ToughCookie;
  return toughCookieModule;
}

export function htmlParser(): typeof HtmlParser {
  htmlParserModule ??= require('node-html-parser') as typeof HtmlParser;
  return htmlParserModule;
}
