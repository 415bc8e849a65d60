// The contract between the generated section classes and the runtime: a section
// hands (method name, params, options) to whatever session created it.

/** Options for one call, beside the method's own params. */
export interface CallOptions {
  /** Aborts the call (and any wait or retry behind it). */
  signal?: AbortSignal;
  /** Milliseconds before the call fails with a timeout; overrides the client's `timeout`. */
  timeout?: number;
}

export interface MethodCaller {
  callMethod<R>(method: string, params: object | undefined, options?: CallOptions): Promise<R>;
}
