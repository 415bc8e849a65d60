// CommunityAPI: community tokens through VK's implicit flow for communities, one per
// group; each call uses the token of its `group_id` param. See AUTH-FLOWS.md, "CommunityAPI".

import type { ApiCall } from '../core/calls.js';
import { AuthError } from '../auth/auth-error.js';
import { optionalNumber } from '../auth/page-params.js';
import { scopeParam, type CommunityScopeName, type Scope } from '../auth/scope.js';
import { bringsOwnToken, LoginSession, type LoginContext, type LoginOptions } from './login-session.js';
import { implicitFlowParams, vkAdminClientId } from './user-api.js';

export interface CommunityAPIOptions extends Omit<LoginOptions, 'accessToken'> {
  /** The communities to get tokens for. A call uses the token of its `groupId` call
   * option, else of its `group_id` param, else of the first of these. */
  groupIds: readonly number[];
  /** Default 6121396, VK's "VK Admin" app. */
  clientId?: number;
  /** Access rights; none by default. Communities know only these names (or a bitmask). */
  scope?: Scope<CommunityScopeName>;
  /** Stored tokens by group id; when they cover every group of `groupIds`, no login happens. */
  groupTokens?: Readonly<Record<number, string>>;
}

/** The tokens of a community session, to store and pass back as `groupTokens`. */
export interface CommunityTokens {
  readonly groupTokens: Readonly<Record<number, string>>;
  /** Seconds the tokens live; 0 means no expiry. `undefined` when VK did not say. */
  readonly expiresIn: number | undefined;
}

export class CommunityAPI extends LoginSession<'group', CommunityTokens> {
  readonly groupIds: readonly number[];
  readonly #scope: string | undefined;

  constructor(options: CommunityAPIOptions) {
    const groupIds = checkGroupIds(options.groupIds);
    super(options, 'group', vkAdminClientId, storedTokens(groupIds, options.groupTokens));
    this.groupIds = groupIds;
    this.#scope = scopeParam(options.scope);
  }

  /** The token of the call's `groupId` option, else of its `group_id` param (which is
   * still sent to VK), else the first group's. */
  protected override async accessTokenFor(call: ApiCall): Promise<string | undefined> {
    if (bringsOwnToken(call)) return undefined;
    const param = call.options.groupId ?? (call.params as Record<string, unknown> | undefined)?.['group_id'];
    const groupId = param === undefined || param === null ? this.groupIds[0] : Number(param);
    // Checked before any login: a group the session was not given never gets a token.
    if (groupId === undefined || !this.groupIds.includes(groupId)) throw this.#noToken(call, param);
    const token = (await this.authorize({ signal: call.options.signal })).groupTokens[groupId];
    if (token === undefined) throw this.#noToken(call, param);
    return token;
  }

  #noToken(call: ApiCall, groupId: unknown): AuthError {
    const held = this.groupIds.join(', ');
    return new AuthError(
      'GROUP_NOT_AUTHORIZED',
      'call',
      `${call.method}: no token for group_id ${String(groupId)} (this session holds tokens for groups ${held})`,
    );
  }

  /** @internal */
  protected override async logIn(context: LoginContext): Promise<CommunityTokens> {
    const params = implicitFlowParams(this.clientId, this.#scope);
    params.set('group_ids', this.groupIds.join(','));
    const { secrets } = context;
    const fragment = await this.implicitFlow(context, params);
    const groupTokens: Record<number, string> = {};
    for (const groupId of this.groupIds) {
      const token = fragment.get(`access_token_${groupId}`);
      if (token) {
        secrets.push(token);
        groupTokens[groupId] = token;
      }
    }
    const missing = this.groupIds.filter((groupId) => groupTokens[groupId] === undefined);
    if (missing.length > 0) {
      throw new AuthError(
        'TOKEN_MISSING',
        'token',
        `OAuth authorization failed: no token for group(s) ${missing.join(', ')}`,
        {},
        secrets,
      );
    }
    return { groupTokens, expiresIn: optionalNumber(fragment.get('expires_in') ?? undefined) };
  }
}

function checkGroupIds(groupIds: readonly number[] | undefined): readonly number[] {
  if (!Array.isArray(groupIds) || groupIds.length === 0) {
    throw new RangeError('groupIds must list at least one community id');
  }
  const bad = groupIds.find((id) => !(Number.isSafeInteger(id) && id > 0));
  if (bad !== undefined) throw new RangeError(`groupIds must be positive community ids, got ${bad}`);
  return Object.freeze([...groupIds]);
}

function storedTokens(
  groupIds: readonly number[],
  stored: Readonly<Record<number, string>> | undefined,
): CommunityTokens | undefined {
  if (stored === undefined || !groupIds.every((groupId) => typeof stored[groupId] === 'string')) return undefined;
  return { groupTokens: { ...stored }, expiresIn: undefined };
}
