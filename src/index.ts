// The package entry: the session classes, their errors and the types users name.

export { API, type APIOptions, type SessionOptions, type TokenPoolOptions } from './sessions/api.js';
export type { RateLimitAcquireOptions, RateLimitGrant, RateLimitStore } from './pipeline/rate-limit-store.js';
export type { TokenRejection } from './pipeline/token-pool.js';
export { UserAPI, type UserAPIOptions } from './sessions/user-api.js';
export { DirectUserAPI, type DirectUserAPIOptions } from './sessions/direct-user-api.js';
export { CommunityAPI, type CommunityAPIOptions, type CommunityParams, type CommunityTokens } from './sessions/community-api.js';
export type { LoginOptions } from './sessions/login-session.js';
export type { ApiErrorHandler, ApiErrorHandlers, ApiErrorRequest, CaptchaError } from './sessions/error-recovery.js';
export { AuthError, type AuthErrorCode, type AuthStep } from './auth/auth-error.js';
export type { AuthCheck, CaptchaAnswer } from './auth/challenges.js';
export type { CommunityScopeName, Scope, UserScopeName } from './auth/scope.js';
export type { UserToken } from './auth/user-token.js';
export type { InteractiveStreams } from './sessions/interactive.js';
export { ApiError, ParamEncodingError, TimeoutError, TransportError, VkError, type RequestParam } from './core/errors.js';
export { ResponseValidationError, ValidationError, type ValidationProblem } from './core/errors.js';
export type { ResponseCheckMode, ResponseProblemsHandler } from './validation/schema-checks.js';
export { recordDrift, type DriftRecord } from './validation/drift-record.js';
export type { PageItem, PageParams, PaginateOptions } from './pagination/paginate.js';
export type { CallOptions } from './core/calls.js';
export type { HttpDispatcher } from './http/dispatcher.js';
export type { ExecuteResult } from './core/replies.js';
export type { MethodParams, MethodResponse, SelectResponse } from './core/method-types.js';
export type { MethodName, PaginatedMethod } from '../generated/methods.js';
// Named by the declarations of the session classes and of MethodParams, which import them
// from the root: the build writes generated/'s declarations into the root's
// (scripts/generated-declarations.ts). SectionsBase is a value: API extends it.
export type { LooseMethods, MethodVariants, SectionMap } from '../generated/methods.js';
export { SectionsBase, type TokenScope } from '../generated/sections.js';
export { ApiErrorCode } from '../generated/errors.js';
export type * from '../generated/index.js';
export { VKID, type AuthorizationRequest, type AuthorizationUrlOptions, type ExchangeCodeParams, type VKIDOptions, type VKIDPrompt, type VKIDRefreshParams } from './vkid/vkid.js';
export { VKIDUserAPI, type VKIDUserAPIOptions } from './vkid/vkid-user-api.js';
export { loginWithLoopback, type LoopbackLoginOptions } from './vkid/loopback.js';
export type { VKIDSessionTokens, VKIDTokens } from './vkid/tokens.js';
export type { VKIDRequestOptions, VKIDUser } from './vkid/id-endpoints.js';
export type { VKIDScope, VKIDScopeName } from './vkid/scope.js';
export { UploadError, type UploadStep } from './uploads/upload-error.js';
export { toAttachment, type Attachable, type AttachmentType } from './uploads/attachment.js';
export type { Uploads } from './uploads/uploads.js';
export type { UploadKind } from './uploads/kinds.js';
export type { UploadBytes, UploadOptions, UploadParams, UploadProgress, UploadResult, UploadSaveMethod, UploadSource, UploadTimeouts } from './uploads/upload-types.js';
export { BotsLongPoll, type BotsLongPollOptions } from './events/bots-long-poll.js';
export { createCallbackHandler, nodeCallbackListener, type CallbackHandlerOptions, type CallbackWithApi, type CallbackWithConfirmation } from './events/callback-handler.js';
export { EventRouter, GroupEventRouter, type EventHandler } from './events/event-router.js';
export type { EventOf, StartOptions } from './events/event-stream.js';
export { isKnownGroupEvent } from './events/group-events.js';
export type { LongPollTimingOptions } from './events/long-poll.js';
export type { AnySession } from './events/session.js';
export { LongPollError, UserLongPoll, type UserLongPollOptions } from './events/user-long-poll.js';
export { decodeUserEvent } from './events/user-events.js';
export type * from './events/user-events.js';
export type * from '../generated/events.js';
