// The entry of `vk-typed/testing`: a fake VK for users' own tests, on 127.0.0.1.
// Apart from the package root, so that importing `vk-typed` never loads it; busboy,
// which only the fake upload host needs, is an optional peer dependency.

export {
  startFakeVk,
  type FakeMethodHandler,
  type FakeReply,
  type FakeVk,
  type FakeVkOptions,
} from './fake-vk.js';
export { FakeCall, type CallParams } from './fake-call.js';
export * from './replies.js';
export {
  authError,
  captchaError,
  captchaRedirectError,
  fakeCaptchaSuccessToken,
  rateLimitError,
  vkError,
  type CaptchaErrorOptions,
  type CaptchaRedirectErrorOptions,
} from './vk-errors.js';
export { FaultPlan, MessageStore, PerTokenRateLimit, RandomIdLedger, faultName, type AcceptedRequest, type Fault, type InjectedFault } from './faults.js';
export {
  startUploadHost,
  type FakeUploadHost,
  type HostAnswer,
  type HostRequest,
  type ReceivedFile,
  type UploadAct,
  type UploadHostOptions,
} from './upload-host.js';
export { serveUploadMethods } from './upload-methods.js';
export {
  messageNewEvent,
  startFakeLongPoll,
  type FakeLongPoll,
  type FakeLongPollOptions,
  type PollCheck,
  type PollFault,
} from './long-poll.js';
export {
  defaultConfig as defaultOAuthConfig,
  mountFakeOAuth,
  vkAdmin,
  vkForAndroid,
  type FakeAccount,
  type FakeOAuth,
  type FakeOAuthConfig,
  type IssuedToken,
} from './oauth.js';
