/**
 * Local TCP peers that are not ESP chips, reached through `socket://127.0.0.1:PORT`: one echoes what
 * it receives, one stays silent, one sends garbage. Each test starts and stops its own server.
 */
import { createServer, type Server, type Socket } from "node:net";

/** How the peer behaves. */
export type PeerKind = "echo" | "silent" | "garbage";

/** A listening peer; `url` is the `socket://` URL. */
export interface Peer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a peer on an ephemeral port of 127.0.0.1. */
export async function startPeer(kind: PeerKind): Promise<Peer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    if (kind === "echo") socket.on("data", (chunk) => socket.write(chunk));
    if (kind === "garbage") {
      // A device chattering at some other protocol: text and binary, never a SLIP frame.
      const timer = setInterval(() => socket.write(Buffer.from("+GARBAGE\x01\x02\x7f AT OK\r\n")), 20);
      timers.add(timer);
      socket.on("close", () => clearInterval(timer));
    }
    if (kind === "silent") socket.on("data", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `socket://127.0.0.1:${port}`,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
