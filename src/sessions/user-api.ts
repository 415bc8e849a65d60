// UserAPI: a user token through VK's implicit flow, logging in with the web login
// form (captcha and 2FA included). See AUTH-FLOWS.md, "UserAPI".

import type { ApiCall } from '../core/calls.js';
import { AuthError } from '../auth/auth-error.js';
import { optionalNumber } from '../auth/page-params.js';
import { scopeParam, type Scope } from '../auth/scope.js';
import type { UserToken } from '../auth/user-token.js';
import { bringsOwnToken, LoginSession, type LoginContext, type LoginOptions } from './login-session.js';

export interface UserAPIOptions extends LoginOptions {
  /** Default 6121396, VK's "VK Admin" app. */
  clientId?: number;
  /** Access rights: `'offline,wall'`, `['offline', 'wall']` or a bitmask. Default `'offline'`. */
  scope?: Scope;
}

/** VK's "VK Admin" app, the seed's default for the implicit flows. */
export const vkAdminClientId = 6121396;

export class UserAPI extends LoginSession<'user', UserToken> {
  /** The app a subclass logs in with when no `clientId` is given. */
  protected static readonly defaultClientId: number = vkAdminClientId;
  /** The `scope` param sent at login. */
  protected readonly scope: string | undefined;

  /** A stored `accessToken` skips the login. */
  constructor(options: UserAPIOptions = {}) {
    super(options, 'user', new.target.defaultClientId, storedToken(options.accessToken));
    this.scope = scopeParam(options.scope ?? 'offline');
  }

  protected override async accessTokenFor(call: ApiCall): Promise<string | undefined> {
    if (bringsOwnToken(call)) return undefined;
    return (await this.authorize({ signal: call.options.signal })).accessToken;
  }

  /** @internal */
  protected override async logIn(context: LoginContext): Promise<UserToken> {
    const { secrets } = context;
    const fragment = await this.implicitFlow(context, implicitFlowParams(this.clientId, this.scope));
    const accessToken = fragment.get('access_token');
    if (!accessToken) {
      throw new AuthError(
        'TOKEN_MISSING',
        'token',
        'OAuth authorization failed: no access_token in the redirect',
        {},
        secrets,
      );
    }
    secrets.push(accessToken);
    return {
      accessToken,
      userId: optionalNumber(fragment.get('user_id') ?? undefined),
      expiresIn: optionalNumber(fragment.get('expires_in') ?? undefined),
    };
  }
}

/** The params of `<oauth>/authorize`, for the login page and for the grant alike. */
export function implicitFlowParams(clientId: number, scope: string | undefined): URLSearchParams {
  const params = new URLSearchParams({ client_id: String(clientId), display: 'mobile', response_type: 'token' });
  if (scope !== undefined) params.set('scope', scope);
  return params;
}

function storedToken(accessToken: string | undefined): UserToken | undefined {
  return accessToken === undefined ? undefined : { accessToken, userId: undefined, expiresIn: undefined };
}
