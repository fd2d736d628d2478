/**
 * The one door from the CLI (and library users) to the transports: `openPort(url)` picks the adapter
 * from the URL's form; discovery and the simulator's constructors are re-exported here so src/cli
 * needs no other adapters import.
 */
import { EspsyncError } from "../src/errors.js";
import type { Port } from "../src/transport/port.js";
import { Rfc2217Port, type Rfc2217PortOptions } from "./rfc2217/index.js";
import { SerialPortPort, type SerialPortPortOptions } from "./serial/index.js";
import { openSimPort, type VirtualChip } from "./sim/index.js";
import { TcpPort, type TcpPortOptions } from "./tcp/index.js";

/** Options of {@link openPort}; each adapter reads the ones that concern it. */
export interface OpenPortOptions extends TcpPortOptions, Rfc2217PortOptions, SerialPortPortOptions {
  /** For `sim:` URLs: attach to this existing virtual chip instead of creating one. */
  chip?: VirtualChip;
  /** For `sim:` URLs: the directory a relative `file=` is resolved against (default: the process's). */
  cwd?: string;
}

/** The port forms `openPort` understands, for messages. */
export const PORT_FORMS =
  "a serial device (/dev/ttyUSB0, /dev/ttyACM0, /dev/cu.usbserial-0001, COM3), socket://HOST:PORT, rfc2217://HOST:PORT, or sim:CHIP (e.g. sim:esp32c3)";

/** Which adapter a port string selects. */
export type PortKind = "serial" | "socket" | "rfc2217" | "sim";

/** Classifies a port string without opening anything; `undefined` for an unknown form. */
export function portKind(url: string): PortKind | undefined {
  if (url.startsWith("sim:")) return "sim";
  if (/^socket:\/\//i.test(url)) return "socket";
  if (/^rfc2217:\/\//i.test(url)) return "rfc2217";
  // Absolute device paths (also symlinks such as /dev/serial/by-id/…) and Windows COM ports.
  if (url.startsWith("/") || /^(\\\\\.\\)?COM\d+$/i.test(url)) return "serial";
  return undefined;
}

/**
 * Returns an unopened `Port` for `url`. Throws `USAGE` (with the accepted forms as the hint) for
 * anything it does not recognise, and the adapter's `USAGE` for a malformed network URL.
 */
export function openPort(url: string, options: OpenPortOptions = {}): Port {
  switch (portKind(url)) {
    case "sim":
      return openSimPort(url, options.chip, options.cwd);
    case "socket":
      return new TcpPort(url, options);
    case "rfc2217":
      return new Rfc2217Port(url, options);
    case "serial":
      return new SerialPortPort(url, options);
    default:
      throw new EspsyncError("USAGE", `unknown port ${JSON.stringify(url)}`, { hint: `Use ${PORT_FORMS}.` });
  }
}

export { listSerialPorts, resolveAutoPort, describePort, type SerialPortListing, type ListSerialPortsOptions, type UsbBridge } from "./serial/index.js";
export {
  chipsWithPortKind,
  createVirtualChip,
  parseSimUrl,
  SIM_CHIPS,
  simOptions,
  TIMING_PROFILES,
  VirtualChip,
  type SimChipName,
  type SimOptions,
  type SimPortKind,
} from "./sim/index.js";
export { serveEndpoint, type ServeEndpointOptions, type ServedEndpoint } from "./serve.js";
export { Rfc2217Port, type ControlLinesState } from "./rfc2217/index.js";
export { serveBoard, type BoardServer, type BoardServerEvent, type ServedDevice } from "./rfc2217/index.js";
export { SerialPortPort } from "./serial/index.js";
export { TcpPort } from "./tcp/index.js";
export { formatHostPort, parseListenAddress, type HostPort } from "./tcp/index.js";
