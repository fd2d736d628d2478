/**
 * A TCP server that serves one client at a time, like a UART that has one host. A second client that
 * connects while the first is still attached is refused: its connection is closed at once, so two
 * flashers never interleave bytes on one device — silently by default, or after one line of text
 * that says who holds the device (`espsync serve`). Shared by the raw TCP and RFC 2217 servers.
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
  /** The client attached now, if any. */
  readonly holder: ClientHolder | undefined;
  /** Stops listening and disconnects the client; resolves when the socket is released. */
  close(): Promise<void>;
}

/** The client a server is attached to. */
export interface ClientHolder {
  /** Its address as `host:port` (`[v6]:port`). */
  readonly remote: string;
  /** When it connected. */
  readonly since: Date;
}

/** Options of {@link listenSingleClient}. */
export interface SingleClientOptions {
  /**
   * The line of text a client (at `remote`, `host:port`) is refused with while `holder` is attached;
   * without it the refused connection is closed silently.
   */
  busyMessage?: (holder: ClientHolder, remote: string) => string;
  /** Asked for every client while none is attached: a line of text refuses it, undefined admits it. */
  admit?: (remote: string) => string | undefined;
}

/** How long a refused client may take to read its line before its connection is destroyed. */
const REFUSAL_LINGER_MS = 1_000;

/**
 * Handles one accepted client. Returns a cleanup function called once the client is gone (or the
 * server closes); it must detach everything the handler attached.
 */
export type ClientHandler = (socket: Socket, holder: ClientHolder) => () => void;

/**
 * Listens on `address` (port 0 = ephemeral) and hands each client, one at a time, to `handle`.
 * Rejects with `PORT_BUSY` when the address is in use, `PORT_PERMISSION` for a privileged port.
 * `label` (e.g. "RFC 2217 server") names the server in messages.
 */
export function listenSingleClient(address: HostPort, handle: ClientHandler, label: string, options: SingleClientOptions = {}): Promise<RunningServer> {
  let current: { socket: Socket; cleanup: () => void; holder: ClientHolder } | undefined;
  const server = createServer((socket) => {
    if (current !== undefined) {
      // One host per device.
      if (options.busyMessage === undefined) socket.destroy();
      else refuse(socket, options.busyMessage(current.holder, remoteOf(socket)));
      return;
    }
    const refusal = options.admit?.(remoteOf(socket));
    if (refusal !== undefined) {
      refuse(socket, refusal);
      return;
    }
    socket.setNoDelay(true);
    const holder: ClientHolder = { remote: remoteOf(socket), since: new Date() };
    const entry = { socket, holder, cleanup: handle(socket, holder) };
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
        get holder() {
          return current?.holder;
        },
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

/** Sends one line of text and closes; the connection is destroyed if the client does not close it. */
export function refuse(socket: Socket, text: string): void {
  socket.on("error", () => socket.destroy());
  const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  socket.resume(); // discard what it sends, so its end of the connection can complete
  socket.end(`${text}\r\n`);
}

/** `host:port` of the far end; an IPv4 client of a dual-stack listener is shown as IPv4. */
function remoteOf(socket: Socket): string {
  const host = (socket.remoteAddress ?? "unknown").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  return formatHostPort({ host, port: socket.remotePort ?? 0 });
}
