// Preloaded (`--import`) into the examples the tests run: any TCP connection beyond
// 127.0.0.1 / ::1 / localhost is refused, and said so on stderr, so that an example
// that would reach VK (or anything on the internet) fails its test instead.

import net from 'node:net';

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);
const connect = net.Socket.prototype.connect;

/** The host a `connect()` call names: its options come bare, or first in net's normalized array. */
function hostOf(args: unknown[]): string | undefined {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    // A `path` without a `port` is a local socket; http's options carry the request's path too.
    const options = first as { host?: string; port?: unknown; path?: string };
    return options.port === undefined && options.path !== undefined ? undefined : (options.host ?? 'localhost');
  }
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args);
  if (host !== undefined && !loopback.has(host)) {
    process.stderr.write(`loopback-only: refused a connection to ${host}\n`);
    throw new Error(`loopback-only: no connection to ${host} from an example under test`);
  }
  return (connect as (...rest: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;
