// The sessions the event sources take: any session class of the SDK (API, UserAPI,
// DirectUserAPI, CommunityAPI), whatever its token type and extra params. The
// events make only the calls they name themselves (getLongPollServer and the
// like), and their long poll requests go through the session's HTTP client.
import type { Transport } from '../http/transport.js';
import { API, sessionTransport } from '../sessions/api.js';

/** Any session: `API`, `UserAPI`, `DirectUserAPI`, `CommunityAPI`, or a subclass. */
export type AnySession = Pick<API, 'callMethod'>;

/** The session's calls and its HTTP client (dispatcher, proxy); a TypeError for
 * anything that is not a session of this SDK, before anything is sent. */
export function eventSession(session: AnySession): { api: API; transport: Transport } {
  if (!(session instanceof API)) {
    throw new TypeError('the session must be an API, UserAPI, DirectUserAPI or CommunityAPI of this SDK');
  }
  return { api: session as API, transport: sessionTransport(session) };
}
