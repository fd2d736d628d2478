/**
 * A TCP proxy that delays every byte by a fixed time in each direction, like a link to a board host
 * across a slow network: real sockets on both sides, delivery in order, no reordering or loss. Each
 * chunk is sent on `delayMs` after it arrived (never before the chunk ahead of it), a close is passed
 * on after the data in front of it, and a new connection reaches the server `delayMs` after the
 * client opened it — so a client's goodbye still arrives before the next client's hello.
 */
import { createServer, Socket, type AddressInfo } from "node:net";

/** A running proxy. */
export interface LatencyProxy {
  /** The port clients connect to (on 127.0.0.1). */
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/** Forwards `from` to `to`, each chunk `delayMs` after it arrived, in order. */
function delayedPipe(from: Socket, to: Socket, delayMs: number): void {
  let lastDueMs = 0;
  const at = (action: () => void): void => {
    const dueMs = Math.max(Date.now() + delayMs, lastDueMs);
    lastDueMs = dueMs;
    setTimeout(action, dueMs - Date.now());
  };
  from.on("data", (chunk: Buffer) => at(() => !to.destroyed && to.write(chunk)));
  from.on("end", () => at(() => to.end()));
  from.on("error", () => at(() => to.destroy()));
  from.on("close", () => at(() => !to.writableEnded && to.destroy()));
}

/** Starts a proxy on 127.0.0.1 (ephemeral port) to `target` with `delayMs` each way. */
export async function startLatencyProxy(target: { host: string; port: number }, delayMs = 80): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections += 1;
    const upstream = new Socket();
    // Bytes the client sends are due `delayMs` after they arrive, so never before this connect: the
    // socket buffers them while it connects.
    setTimeout(() => !upstream.destroyed && upstream.connect(target.port, target.host), delayMs);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
    delayedPipe(client, upstream, delayMs);
    delayedPipe(upstream, client, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
