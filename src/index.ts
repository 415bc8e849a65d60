// The package entry: the session classes, their errors and the types users name.

export { API, type APIOptions, type ExecuteResult } from './api.js';
export { ApiError, ParamEncodingError, TimeoutError, TransportError, VkError, type RequestParam } from './errors.js';
export type { CallOptions } from './method-caller.js';
export type { MethodParams, MethodResponse, SelectResponse } from './method-types.js';
export type { MethodName } from '../generated/methods.js';
export { ApiErrorCode } from '../generated/errors.js';
export type * from '../generated/index.js';
