// What a user login yields, in a form that can be stored and handed back later.

/** A user access token and what VK said about it. */
export interface UserToken {
  readonly accessToken: string;
  /** The account's id, when VK sent it. */
  readonly userId: number | undefined;
  /** Seconds the token lives; 0 means no expiry (the `offline` scope). `undefined` when VK did not say. */
  readonly expiresIn: number | undefined;
}
