// The contract between the generated section classes and the runtime (a section
// hands method name, params and options to whatever session created it), and a
// call as every layer sees it. It imports nothing: generated/ depends on it alone.

/** Options for one call, beside the method's own params. */
export interface CallOptions {
  /** Aborts the call (and any wait or retry behind it). */
  signal?: AbortSignal;
  /** Milliseconds each attempt may take before it fails with a timeout (retries get
   * their own); overrides the client's `timeout`. */
  timeout?: number;
  /** Retries of this call; overrides the client's `maxRetries`. */
  maxRetries?: number;
  /** CommunityAPI: the community whose token the call uses; wins over the call's
   * `group_id` (default: the call's `group_id`, else the session's first group). */
  groupId?: number;
}

export interface MethodCaller {
  callMethod<R>(method: string, params: object | undefined, options?: CallOptions): Promise<R>;
}

/** One call as the session handles it. */
export interface ApiCall {
  readonly method: string;
  readonly params: object | undefined;
  readonly options: CallOptions;
}
