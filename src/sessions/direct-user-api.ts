// DirectUserAPI: a user token through VK's password grant ("direct authorization"),
// as VK's own apps do. See AUTH-FLOWS.md, "DirectUserAPI".

import { passwordGrant } from '../auth/password-grant.js';
import type { UserToken } from '../auth/user-token.js';
import type { LoginContext } from './login-session.js';
import { UserAPI, type UserAPIOptions } from './user-api.js';

export interface DirectUserAPIOptions extends UserAPIOptions {
  /** Default 2274003, the official "VK for Android" app (the seed's default). */
  clientId?: number;
  /** The app's secret; default that of "VK for Android". */
  clientSecret?: string;
}

/** "VK for Android", as the seed documents it. */
export const vkForAndroid = { clientId: 2274003, clientSecret: 'hHbZxrka2uZ6jB1inYsH' } as const;

export class DirectUserAPI extends UserAPI {
  protected static override readonly defaultClientId: number = vkForAndroid.clientId;
  readonly #clientSecret: string;

  constructor(options: DirectUserAPIOptions = {}) {
    super(options);
    this.#clientSecret = options.clientSecret ?? vkForAndroid.clientSecret;
  }

  /** @internal */
  protected override logIn({ web, login, password, challenges, secrets }: LoginContext): Promise<UserToken> {
    secrets.push(this.#clientSecret);
    return passwordGrant({
      web,
      oauthBaseUrl: this.oauthBaseUrl,
      mobileBaseUrl: this.mobileBaseUrl,
      clientId: this.clientId,
      clientSecret: this.#clientSecret,
      scope: this.scope,
      login,
      password,
      challenges,
      secrets,
    });
  }
}
