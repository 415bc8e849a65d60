// The package entry: the session classes, their errors and the types users name.

export { API, type APIOptions, type ExecuteResult } from './api.js';
export { UserAPI, type UserAPIOptions } from './user-api.js';
export { DirectUserAPI, type DirectUserAPIOptions } from './direct-user-api.js';
export { CommunityAPI, type CommunityAPIOptions, type CommunityTokens } from './community-api.js';
export type { LoginOptions } from './login-session.js';
export type { ApiErrorHandler, ApiErrorHandlers, ApiErrorRequest, CaptchaError } from './api-error-handling.js';
export { AuthError, type AuthErrorCode, type AuthStep } from './auth/auth-error.js';
export type { AuthCheck, CaptchaAnswer } from './auth/challenges.js';
export type { CommunityScopeName, Scope, UserScopeName } from './auth/scope.js';
export type { UserToken } from './auth/user-token.js';
export type { InteractiveStreams } from './interactive.js';
export { ApiError, ParamEncodingError, TimeoutError, TransportError, VkError, type RequestParam } from './errors.js';
export { ResponseValidationError, ValidationError, type ValidationProblem } from './errors.js';
export type { ResponseCheckMode, ResponseProblemsHandler } from './validation.js';
export type { PageItem, PageParams, PaginateOptions } from './paginate.js';
export type { CallOptions } from './method-caller.js';
export type { MethodParams, MethodResponse, SelectResponse } from './method-types.js';
export type { MethodName, PaginatedMethod } from '../generated/methods.js';
export { ApiErrorCode } from '../generated/errors.js';
export type * from '../generated/index.js';
