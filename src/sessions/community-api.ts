// CommunityAPI: community tokens through VK's implicit flow for communities, one per
// group; each call uses the token of its `group_id` param, which every method takes
// here (as in the seed). See AUTH-FLOWS.md, "CommunityAPI".

import type { ApiCall } from '../core/calls.js';
import { AuthError } from '../auth/auth-error.js';
import { optionalNumber } from '../auth/page-params.js';
import { scopeParam, type CommunityScopeName, type Scope } from '../auth/scope.js';
import { bringsOwnToken, LoginSession, type LoginContext, type LoginOptions } from './login-session.js';
import { implicitFlowParams, vkAdminClientId } from './user-api.js';

export interface CommunityAPIOptions extends Omit<LoginOptions, 'accessToken'> {
  /** The communities to get tokens for. A call uses the token of its `groupId` call
   * option, else of its `group_id` param (any method takes one), else of the first of these. */
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

/** What every method of a community session takes besides its own params. */
export interface CommunityParams {
  /** The community whose token the call uses, one of `groupIds`. Sent to VK only when
   * the method has a `group_id` param of its own. */
  group_id?: number;
}

export class CommunityAPI extends LoginSession<'group', CommunityTokens, CommunityParams> {
  readonly groupIds: readonly number[];
  readonly #scope: string | undefined;

  constructor(options: CommunityAPIOptions) {
    const groupIds = checkGroupIds(options.groupIds);
    super(options, 'group', vkAdminClientId, storedTokens(groupIds, options.groupTokens));
    this.groupIds = groupIds;
    this.#scope = scopeParam(options.scope);
  }

  /** The token of the call's `groupId` option, else of its `group_id` param, else the first group's. */
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

  protected override printable(): Record<string, unknown> {
    return { ...super.printable(), groupIds: this.groupIds };
  }

  /** The call's params, less a `group_id` the method does not take: it only picked
   * the token, and VK (and the params check) would refuse it. */
  protected override async paramsToSend(call: ApiCall): Promise<object | undefined> {
    const params = call.params as Record<string, unknown> | undefined;
    if (params?.['group_id'] === undefined || (await takesGroupId(call.method))) return params;
    const own = { ...params };
    delete own['group_id'];
    return own;
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

const takesGroupIdByMethod = new Map<string, boolean>();

/** Whether the params schema gives `method` a `group_id` (loaded on the first call
 * that brings one, read once per method). A method the schema lacks gets the params as given. */
async function takesGroupId(method: string): Promise<boolean> {
  const known = takesGroupIdByMethod.get(method);
  if (known !== undefined) return known;
  const { paramsSchemas } = await import('../../generated/validation/params.js');
  const schema = Object.hasOwn(paramsSchemas, method) ? paramsSchemas[method] : undefined;
  const takes = schema === undefined || Object.hasOwn((JSON.parse(schema) as { properties: object }).properties, 'group_id');
  takesGroupIdByMethod.set(method, takes);
  return takes;
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
