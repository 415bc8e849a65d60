// A fake VK upload host on 127.0.0.1: parses multipart bodies with busboy, hashes
// every file as it streams in (a 200 MB file is never held), and answers the way VK's
// hosts do for each `act` (the kind of upload its URL names). busboy is an optional
// peer dependency of vk-typed/testing, loaded when a host starts (busboy.ts).

import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadBusboy } from './busboy.js';

/** A file the host received: its form field, name, type, size and sha256. */
export interface ReceivedFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
}

/** A request to the upload host, filled in as its body streams in. */
export interface HostRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly files: ReceivedFile[];
  readonly fields: Record<string, string>;
  /** The body as it came, while it is at most `keepBytes` long (else empty). */
  raw: Buffer;
  /** Body bytes received. */
  bytes: number;
  /** The body was read to its end. */
  complete: boolean;
  /** The client went away before the body ended. */
  aborted: boolean;
  /** Settles when the request's connection is done with (answered, or gone). */
  readonly closed: Promise<void>;
}

/** What the host answers a request with; `body` objects are sent as JSON. */
export interface HostAnswer {
  readonly status?: number;
  readonly body: string | object;
  readonly contentType?: string;
}

/** A fake VK upload host (see `startUploadHost()`). */
export interface FakeUploadHost extends AsyncDisposable {
  readonly url: string;
  /** Every request, from when its headers arrived. */
  readonly requests: HostRequest[];
  /** An upload URL for `act`, with a signature in its query as VK's have. */
  uploadUrl(act: UploadAct, extra?: Record<string, string>): string;
  /** The files a token of the host's replies stands for, or undefined. */
  filesOf(token: string): ReceivedFile[] | undefined;
  /** Answers the next request with `answer` instead of the usual reply (once). */
  answerNext(answer: HostAnswer | ((request: HostRequest) => HostAnswer)): void;
  /** Stops reading bodies and answering until `release()`; resolves `arrived` per request. */
  hold(): { arrived: Promise<HostRequest>; release: () => void };
  close(): Promise<void>;
}

/** The kinds of upload host, as the `act` of their URLs names them. */
export type UploadAct = keyof typeof acts;

interface Stored {
  readonly token: string;
  readonly hash: string;
  readonly files: ReceivedFile[];
}

/** How each kind of host takes files and answers (VK's upload guides). */
const acts = {
  photo: {
    fields: ['photo'],
    reply: (s: Stored) => ({ server: 625831, photo: s.token, hash: s.hash }),
    empty: { server: 625831, photo: '[]', hash: '' },
  },
  marketAlbum: {
    fields: ['file'],
    reply: (s: Stored) => ({ server: 625831, photo: s.token, hash: s.hash }),
    empty: { server: 1, photo: '[]', hash: '' },
  },
  album: {
    fields: ['file1', 'file2', 'file3', 'file4', 'file5'],
    reply: (s: Stored, query: Record<string, string>) => ({
      server: 625831,
      photos_list: s.token,
      aid: Number(query['aid']),
      hash: s.hash,
    }),
    empty: { server: 625831, photos_list: '[]', aid: 0, hash: '' },
  },
  chat: { fields: ['file'], reply: (s: Stored) => ({ response: s.token }), empty: { error: 'no_file' } },
  doc: { fields: ['file'], reply: (s: Stored) => ({ file: s.token }), empty: { error: 'no_file' } },
  video: {
    fields: ['video_file'],
    reply: (s: Stored) => ({ video_hash: s.hash, size: s.files[0]?.size, owner_id: 100, video_id: 456239017 }),
    empty: { error: 'no_file', error_code: 1 },
  },
  story: {
    fields: ['file', 'video_file'],
    reply: (s: Stored) => ({ response: { upload_result: s.token, _sig: s.hash } }),
    empty: { error: { error_code: 1, type: 'no_file' } },
  },
  market: {
    fields: ['file'],
    reply: (s: Stored) => ({ album_id: -53, meta: { token: s.token }, sha: s.hash }),
    empty: { error: 'no_file' },
  },
  poll: { fields: ['photo'], reply: (s: Stored) => ({ photo: s.token, hash: s.hash }), empty: { error: 'no_file' } },
  cover: { fields: ['photo'], reply: (s: Stored) => ({ photo: s.token, hash: s.hash }), empty: { error: 'no_file' } },
  widget: { fields: ['image'], reply: (s: Stored) => ({ image: s.token, hash: s.hash }), empty: { error: 'no_file' } },
  thumb: { fields: ['file'], reply: (s: Stored) => ({ token: s.token, sha: s.hash }), empty: { error: 'no_file' } },
} satisfies Record<
  string,
  { fields: string[]; reply: (s: Stored, query: Record<string, string>) => object; empty: object }
>;

export interface UploadHostOptions {
  /** Bodies up to this many bytes are kept whole in `request.raw` (default 16 MiB). */
  keepBytes?: number;
}

/** Starts a fake upload host on 127.0.0.1; `serveUploadMethods()` wires it to a fake VK. */
export async function startUploadHost(options: UploadHostOptions = {}): Promise<FakeUploadHost> {
  const busboy = await loadBusboy();
  const keepBytes = options.keepBytes ?? 16 * 1024 * 1024;
  const requests: HostRequest[] = [];
  const stored = new Map<string, Stored>();
  const answers: (HostAnswer | ((request: HostRequest) => HostAnswer))[] = [];
  let held: { gate: Promise<void>; onArrival: (request: HostRequest) => void } | undefined;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let onClose!: () => void;
    const request: HostRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      files: [],
      fields: {},
      raw: Buffer.alloc(0),
      bytes: 0,
      complete: false,
      aborted: false,
      closed: new Promise((resolve) => (onClose = resolve)),
    };
    requests.push(request);
    // A request whose body is not being read hears of the client leaving from its socket.
    const closed = () => {
      if (!request.complete) request.aborted = true;
      onClose();
    };
    req.on('close', closed);
    req.socket.on('close', closed);
    const hold = held;
    hold?.onArrival(request);
    void (hold?.gate ?? Promise.resolve())
      .then(() => receive(req, request))
      .then(
        () => answer(res, request),
        () => res.destroy(),
      );
  });

  /** Reads the body through busboy, hashing each file as it streams. */
  const receive = (req: IncomingMessage, request: HostRequest): Promise<void> =>
    new Promise((resolve, reject) => {
      const kept: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        request.bytes += chunk.length;
        if (request.bytes <= keepBytes) kept.push(chunk);
        else kept.length = 0;
      });
      req.on('end', () => {
        request.complete = true;
        request.raw = request.bytes <= keepBytes ? Buffer.concat(kept) : Buffer.alloc(0);
      });
      if (!String(req.headers['content-type']).startsWith('multipart/form-data')) {
        req.on('end', resolve).on('error', reject).resume();
        return;
      }
      const parser = busboy({ headers: req.headers });
      const pending: Promise<void>[] = [];
      parser.on('file', (field, stream, info) => {
        const hash = createHash('sha256');
        let size = 0;
        pending.push(
          new Promise((done) =>
            stream
              .on('data', (chunk: Buffer) => {
                size += chunk.length;
                hash.update(chunk);
              })
              .on('end', () => {
                request.files.push({
                  field,
                  filename: info.filename ?? '',
                  contentType: info.mimeType,
                  size,
                  sha256: hash.digest('hex'),
                });
                done();
              }),
          ),
        );
      });
      parser.on('field', (name, value) => {
        request.fields[name] = value;
      });
      parser.on('close', () => void Promise.all(pending).then(() => resolve()));
      parser.on('error', reject);
      req.on('error', reject);
      req.pipe(parser);
    });

  const answer = (res: ServerResponse, request: HostRequest): void => {
    const next = answers.shift();
    const reply = next === undefined ? usualAnswer(request) : typeof next === 'function' ? next(request) : next;
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json; charset=utf-8' });
    res.end(body);
  };

  /** The reply of a VK host: tokens for the files in its fields, or its "no file" reply. */
  const usualAnswer = (request: HostRequest): HostAnswer => {
    const act = acts[request.query['act'] as UploadAct];
    if (act === undefined)
      return { status: 404, body: '<html><body>Not found</body></html>', contentType: 'text/html' };
    const files = act.fields.flatMap((field) => request.files.filter((file) => file.field === field));
    if (files.length === 0) return { body: act.empty };
    const token = `${request.query['act']}-${randomUUID()}`;
    const record = { token, hash: files[0]!.sha256.slice(0, 16), files };
    stored.set(token, record);
    return { body: act.reply(record, request.query) };
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return {
    url: base,
    requests,
    uploadUrl: (act, extra = {}) =>
      `${base}/upload.php?${new URLSearchParams({ act, ...extra, hash: 'ae6f11219f2e21f9', rhash: '69c202cbb175d330' })}`,
    filesOf: (token) => stored.get(token)?.files,
    answerNext: (next) => answers.push(next),
    hold: () => {
      let release!: () => void;
      let onArrival!: (request: HostRequest) => void;
      const arrived = new Promise<HostRequest>((resolve) => (onArrival = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      held = { gate, onArrival };
      return {
        arrived,
        release: () => {
          held = undefined;
          release();
        },
      };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
