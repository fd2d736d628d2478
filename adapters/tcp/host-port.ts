/**
 * Parsing of the network addresses the adapters accept: `socket://host:port`, `rfc2217://host:port`
 * and the bare `host:port` the servers listen on. Pure.
 */
import { EspsyncError } from "../../src/errors.js";

/** A TCP endpoint. */
export interface HostPort {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  /** TCP port, 0..65535 (0 only makes sense when listening: an ephemeral port). */
  readonly port: number;
}

const URL_FORMS = "socket://HOST:PORT (raw TCP) or rfc2217://HOST:PORT (RFC 2217, e.g. ser2net)";

/**
 * Parses `scheme://host:port` (e.g. `socket://localhost:5555`, `rfc2217://[::1]:4000`).
 * Throws `USAGE` when the URL has another scheme, no host, or no valid port.
 */
export function parseNetworkUrl(url: string, scheme: "socket" | "rfc2217"): HostPort {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new EspsyncError("USAGE", `port URL ${JSON.stringify(url)} is not a valid URL`, { hint: `Use ${URL_FORMS}.`, cause });
  }
  if (parsed.protocol !== `${scheme}:`) {
    throw new EspsyncError("USAGE", `port URL ${JSON.stringify(url)} does not start with ${scheme}://`, { hint: `Use ${URL_FORMS}.` });
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = parsePortNumber(parsed.port, url);
  if (host === "" || port === 0) {
    throw new EspsyncError("USAGE", `port URL ${JSON.stringify(url)} needs a host and a non-zero port`, { hint: `Use ${URL_FORMS}.` });
  }
  return { host, port };
}

/**
 * Parses a listen address `host:port`, `[v6]:port` or a bare `port` (host 127.0.0.1). Port 0 asks the
 * OS for an ephemeral port. Throws `USAGE` on anything else.
 */
export function parseListenAddress(text: string): HostPort {
  if (/^\d+$/.test(text)) return { host: "127.0.0.1", port: parsePortNumber(text, text) };
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (match === null) {
    throw new EspsyncError("USAGE", `listen address ${JSON.stringify(text)} is not HOST:PORT`, {
      hint: "Use for example 127.0.0.1:5555, [::1]:5555, or 0 for an ephemeral port on 127.0.0.1.",
    });
  }
  // An empty host (":5555") also means loopback: never listen on every interface by accident.
  const host = match[1] ?? (match[2] === undefined || match[2] === "" ? "127.0.0.1" : match[2]);
  return { host, port: parsePortNumber(match[3] ?? "", text) };
}

/** Formats a host/port pair the way messages show it (`[::1]:5555` for IPv6). */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function parsePortNumber(text: string, where: string): number {
  const port = Number(text);
  if (text === "" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EspsyncError("USAGE", `${JSON.stringify(where)} has no valid TCP port (0..65535)`, {
      hint: "Give the port number after the colon, e.g. localhost:5555.",
    });
  }
  return port;
}
