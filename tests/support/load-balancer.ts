import net from 'node:net';

/**
 * A TCP load balancer on loopback for tests and benches: each new connection goes to the next
 * backend that accepts it (round robin), so a dead server process drops out by itself and its
 * clients' reconnects land on the others — what a production balancer does with websocket-only
 * Socket.IO clients (no sticky sessions needed).
 */
export interface LoadBalancer {
  url: string;
  /** Connections currently open to each backend port. */
  open(): Map<number, number>;
  close(): Promise<void>;
}

export async function startLoadBalancer(backendUrls: string[]): Promise<LoadBalancer> {
  const ports = backendUrls.map((u) => Number(new URL(u).port));
  const open = new Map<number, number>(ports.map((p) => [p, 0]));
  const sockets = new Set<net.Socket>();
  let turn = 0;
  const connectTo = (client: net.Socket, tries: number): void => {
    if (tries >= ports.length) return void client.destroy();
    const port = ports[turn++ % ports.length]!;
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      open.set(port, (open.get(port) ?? 0) + 1);
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected) connectTo(client, tries + 1);
      else client.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (connected) {
        open.set(port, (open.get(port) ?? 1) - 1);
        client.destroy();
      }
    });
  };
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    connectTo(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    open: () => new Map(open),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
