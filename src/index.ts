// The package entry: the session classes, their errors and the types users name.

export { API, type APIOptions } from './sessions/api.js';
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
export { ApiErrorCode } from '../generated/errors.js';
export type * from '../generated/index.js';
