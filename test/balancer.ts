import net from 'node:net';

/**
 * A small TCP round-robin balancer on 127.0.0.1 (port 0) in front of a service's replicas: what a Kubernetes Service
 * (kube-proxy) does for the pods behind it, on one machine.
 *
 * What it models: balancing per connection, not per request (HTTP keep-alive connections stay with the replica they
 * were opened to, as through a ClusterIP); each new connection goes to the next backend in turn; a backend whose port
 * refuses the connection is skipped and the next one tried, within the same client connection, as once the endpoint
 * is gone from the Service (a killed pod is taken out of the endpoints; here that is instant, from the first refused
 * connection, where a cluster has a window of a few seconds in which a new connection to the dead pod fails; the
 * `refused` counters say how many connections that window would have cost). When a backend dies under open
 * connections those are cut (the client sees a reset or an early close), as when a pod dies. With every backend
 * refusing, the client's connection is closed at once (`unavailable`), like a Service with no endpoints.
 */
export interface BackendAddress {
  host: string;
  port: number;
}

export interface BackendCounters {
  /** Connections forwarded to this backend. */
  connections: number;
  /** Connection attempts it refused (or failed otherwise before connecting); each was tried on the next backend. */
  refused: number;
  /** Bytes from this backend to the clients. */
  bytesOut: number;
}

export interface Balancer {
  url(path?: string): string;
  port: number;
  counters(): { backends: BackendCounters[]; unavailable: number };
  /** Which backend (index) a client connection from `localPort` was forwarded to, and bytes it has passed back so far. */
  connectionOf(clientPort: number): { backend: number; bytesOut: number } | undefined;
  close(): Promise<void>;
}

export async function startBalancer(backends: BackendAddress[]): Promise<Balancer> {
  if (backends.length === 0) throw new Error('a balancer needs at least one backend');
  const counters: BackendCounters[] = backends.map(() => ({ connections: 0, refused: 0, bytesOut: 0 }));
  let unavailable = 0;
  let next = 0;
  const open = new Set<net.Socket>();
  const byClientPort = new Map<number, { backend: number; bytesOut: number }>();

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => {});
    const start = next;
    next = (next + 1) % backends.length;
    const tryBackend = (attempt: number) => {
      if (client.destroyed) return;
      if (attempt >= backends.length) {
        unavailable++;
        client.destroy();
        return;
      }
      const index = (start + attempt) % backends.length;
      const backend = backends[index]!;
      const upstream = net.connect({ host: backend.host, port: backend.port });
      open.add(upstream);
      upstream.once('close', () => open.delete(upstream));
      let connected = false;
      upstream.once('error', () => {
        if (!connected) {
          counters[index]!.refused++;
          upstream.destroy();
          tryBackend(attempt + 1);
        }
      });
      upstream.once('connect', () => {
        connected = true;
        counters[index]!.connections++;
        const entry = { backend: index, bytesOut: 0 };
        if (client.remotePort !== undefined) byClientPort.set(client.remotePort, entry);
        upstream.on('data', (chunk: Buffer) => {
          counters[index]!.bytesOut += chunk.length;
          entry.bytesOut += chunk.length;
        });
        upstream.on('error', () => {});
        upstream.pipe(client);
        client.pipe(upstream);
        // A backend that goes away takes its connections with it; a client that goes away closes its upstream.
        upstream.once('close', (hadError) => {
          if (hadError) client.destroy();
        });
        client.once('close', () => upstream.destroy());
        client.resume();
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (path = '/graphql') => `http://127.0.0.1:${port}${path}`,
    counters: () => ({ backends: counters.map((c) => ({ ...c })), unavailable }),
    connectionOf: (clientPort) => byClientPort.get(clientPort),
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A free port for a service that must come back on it after a restart, below the kernel's ephemeral range
 * (32768-60999 by default): `listen(0)` and every outgoing connection (a pool's, a fetch's) take ports from that range,
 * so a port picked there can be taken by the time a slow-booting process listens on it, or when it restarts.
 */
export async function stablePort(exclude: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (exclude.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.unref();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below the ephemeral range');
}
