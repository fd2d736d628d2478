/**
 * Opening a TCP connection with a deadline and translating the OS's failures into espsync errors.
 * Shared by the raw TCP port and the RFC 2217 client.
 */
import { connect, type Socket } from "node:net";
import { EspsyncError } from "../../src/errors.js";
import { formatHostPort, type HostPort } from "./host-port.js";

/** How long `connectTcp` waits for the connection when the caller does not say. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects to `target` and resolves with the connected socket (Nagle off: the protocols are
 * request/response). `url` names the port in error messages. Rejects with `CONNECT_REFUSED`,
 * `PORT_NOT_FOUND` (unknown host), `TIMEOUT` or `PORT_CLOSED` (any other socket failure).
 */
export function connectTcp(target: HostPort, url: string, timeoutMs: number = DEFAULT_CONNECT_TIMEOUT_MS): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new EspsyncError("TIMEOUT", `${url}: no TCP connection to ${formatHostPort(target)} within ${timeoutMs} ms`, {
          hint: "Check the host name, the port and any firewall between you and the server.",
        }),
      );
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(mapSocketError(err, url, target));
    });
  });
}

/** Translates a socket error (connect or later) into an `EspsyncError` naming `url`. */
export function mapSocketError(err: Error, url: string, target: HostPort): EspsyncError {
  const code = (err as NodeJS.ErrnoException).code;
  const where = formatHostPort(target);
  switch (code) {
    case "ECONNREFUSED":
      return new EspsyncError("CONNECT_REFUSED", `${url}: connection to ${where} refused`, {
        hint: "Is the server running (e.g. `espsync sim`, ser2net or QEMU) and listening on that port?",
        cause: err,
      });
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return new EspsyncError("PORT_NOT_FOUND", `${url}: host ${JSON.stringify(target.host)} not found`, {
        hint: "Check the host name in the URL, or use an IP address.",
        cause: err,
      });
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new EspsyncError("TIMEOUT", `${url}: ${where} is unreachable (${code})`, {
        hint: "Check the network path and firewall to the server.",
        cause: err,
      });
    default:
      return new EspsyncError("PORT_CLOSED", `${url}: connection to ${where} lost (${code ?? err.message})`, {
        hint: "The server closed the connection or the network dropped; run the command again.",
        cause: err,
      });
  }
}
