/**
 * Exposes one device (normally the virtual chip, for `espsync sim`) on any combination of a raw TCP
 * port, an RFC 2217 port and a pseudo-terminal. Each server takes one client at a time; the servers do
 * not coordinate with each other, so connect one host in total (two hosts would interleave bytes, as
 * two programs on one UART would).
 */
import type { SerialEndpoint } from "../src/transport/endpoint.js";
import { serveRfc2217 } from "./rfc2217/index.js";
import { servePty } from "./serial/index.js";
import { formatHostPort, parseListenAddress, serveTcp, type HostPort } from "./tcp/index.js";

/** What to serve. Addresses are `host:port`, `[v6]:port` or a bare port (127.0.0.1); port 0 = ephemeral. */
export interface ServeEndpointOptions {
  /** Raw TCP (what `socket://` clients and esptool connect to). */
  listen?: string;
  /** RFC 2217 (what `rfc2217://` clients and pyserial connect to). */
  rfc2217?: string;
  /** Also create a pseudo-terminal (needs socat). */
  pty?: boolean;
}

/** The running servers. */
export interface ServedEndpoint {
  /** Where to connect: `socket://…` and `rfc2217://…` URLs with the bound ports, and the pty's path. */
  readonly addresses: { readonly listen?: string; readonly rfc2217?: string; readonly pty?: string };
  /** Stops every server; resolves when all are down. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Starts the requested servers for `endpoint`. If one fails (e.g. `PORT_BUSY`), the ones already
 * started are stopped and the error is rethrown.
 */
export async function serveEndpoint(endpoint: SerialEndpoint, options: ServeEndpointOptions): Promise<ServedEndpoint> {
  const closers: (() => Promise<void>)[] = [];
  const addresses: { listen?: string; rfc2217?: string; pty?: string } = {};
  const closeAll = async (): Promise<void> => {
    await Promise.all(closers.splice(0).map((close) => close()));
  };
  try {
    if (options.listen !== undefined) {
      const server = await serveTcp(endpoint, parseListenAddress(options.listen));
      closers.push(() => server.close());
      addresses.listen = `socket://${formatHostPort(reachable(server))}`;
    }
    if (options.rfc2217 !== undefined) {
      const server = await serveRfc2217(endpoint, parseListenAddress(options.rfc2217));
      closers.push(() => server.close());
      addresses.rfc2217 = `rfc2217://${formatHostPort(reachable(server))}`;
    }
    if (options.pty === true) {
      const pty = await servePty(endpoint);
      closers.push(() => pty.close());
      addresses.pty = pty.path;
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return { addresses, close: () => (closing ??= closeAll()) };
}

/** A wildcard bind address is not something to connect to; name loopback instead. */
function reachable(bound: HostPort): HostPort {
  if (bound.host === "0.0.0.0") return { host: "127.0.0.1", port: bound.port };
  if (bound.host === "::") return { host: "::1", port: bound.port };
  return bound;
}
