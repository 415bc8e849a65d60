// A page of VK's login flow as the flows read it, once every redirect is followed.
// Its own module, so that what reads pages need not import the client that fetches them.

export interface WebPage {
  /** The final URL, fragment included. */
  readonly url: URL;
  readonly status: number;
  readonly body: string;
}
