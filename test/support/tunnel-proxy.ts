// A CONNECT-only HTTP proxy on 127.0.0.1 for tests: counts the tunnels and the
// bytes sent through them, can ask for credentials, can be slow to connect.

import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Tunnel {
  target: string;
  proxyAuthorization: string | undefined;
  bytesUp: number;
}

export interface TunnelProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every tunnel opened, in order. */
  readonly tunnels: Tunnel[];
  close(): Promise<void>;
}

/** An HTTP proxy that only tunnels (CONNECT), optionally asking for Basic
 * credentials, optionally slow to open a tunnel (a slow connection to VK). */
export async function startTunnelProxy(credentials?: string, tunnelDelayMs = 0): Promise<TunnelProxy> {
  const tunnels: Tunnel[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = http.createServer((_request, response) => response.writeHead(405).end());
  proxy.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    const proxyAuthorization = request.headers['proxy-authorization'];
    if (credentials !== undefined && proxyAuthorization !== `Basic ${Buffer.from(credentials).toString('base64')}`) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    const tunnel: Tunnel = { target: request.url ?? '', proxyAuthorization, bytesUp: 0 };
    tunnels.push(tunnel);
    const [host, port] = (request.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, async () => {
      await new Promise((resolve) => setTimeout(resolve, tunnelDelayMs));
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    sockets.add(upstream);
    client.on('data', (chunk: Buffer) => (tunnel.bytesUp += chunk.length));
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroyBoth).on('close', destroyBoth);
    upstream.on('error', destroyBoth).on('close', destroyBoth);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}
