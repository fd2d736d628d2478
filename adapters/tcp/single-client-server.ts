/**
 * A TCP server that serves one client at a time, like a UART that has one host. A second client that
 * connects while the first is still attached is refused: its connection is closed at once, so two
 * flashers never interleave bytes on one device. Shared by the raw TCP and RFC 2217 servers.
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import { EspsyncError } from "../../src/errors.js";
import { formatHostPort, type HostPort } from "./host-port.js";

/** A running server. */
export interface RunningServer {
  /** The address actually bound (the OS's choice when port 0 was asked for). */
  readonly host: string;
  /** The TCP port actually bound. */
  readonly port: number;
  /** Stops listening and disconnects the client; resolves when the socket is released. */
  close(): Promise<void>;
}

/**
 * Handles one accepted client. Returns a cleanup function called once the client is gone (or the
 * server closes); it must detach everything the handler attached.
 */
export type ClientHandler = (socket: Socket) => () => void;

/**
 * Listens on `address` (port 0 = ephemeral) and hands each client, one at a time, to `handle`.
 * Rejects with `PORT_BUSY` when the address is in use, `PORT_PERMISSION` for a privileged port.
 * `label` (e.g. "RFC 2217 server") names the server in messages.
 */
export function listenSingleClient(address: HostPort, handle: ClientHandler, label: string): Promise<RunningServer> {
  let current: { socket: Socket; cleanup: () => void } | undefined;
  const server = createServer((socket) => {
    if (current !== undefined) {
      socket.destroy(); // refuse: one host per device
      return;
    }
    socket.setNoDelay(true);
    const entry = { socket, cleanup: handle(socket) };
    current = entry;
    socket.on("error", () => socket.destroy()); // the client vanished; "close" follows
    socket.on("close", () => {
      if (current === entry) current = undefined;
      entry.cleanup();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      const where = formatHostPort(address);
      if (err.code === "EADDRINUSE") {
        reject(new EspsyncError("PORT_BUSY", `${label}: ${where} is already in use`, {
          hint: "Another program listens there; stop it or choose another port (0 picks a free one).",
          cause: err,
        }));
      } else if (err.code === "EACCES") {
        reject(new EspsyncError("PORT_PERMISSION", `${label}: not allowed to listen on ${where}`, {
          hint: "Ports below 1024 need privileges; choose a port above 1024.",
          cause: err,
        }));
      } else {
        reject(new EspsyncError("PORT_NOT_FOUND", `${label}: cannot listen on ${where} (${err.code ?? err.message})`, {
          hint: "Check that the host is an address of this machine (e.g. 127.0.0.1 or 0.0.0.0).",
          cause: err,
        }));
      }
    });
    server.listen(address.port, address.host, () => {
      const bound = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        host: bound.address,
        port: bound.port,
        close: () => {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            current?.socket.destroy();
          });
          return closing;
        },
      });
    });
  });
}
