/** Picking the ESP board's port when the user did not name one. Pure. */
import { EspsyncError } from "../../src/errors.js";
import type { SerialPortListing } from "./list-ports.js";
import { formatUsbId } from "./usb-bridges.js";

/**
 * Returns the one port that looks like an ESP board (`likelyEsp`). Throws `PORT_NOT_FOUND` when there is
 * none (listing the ports that do exist) and `PORT_AMBIGUOUS` when several qualify (listing them).
 */
export function resolveAutoPort(ports: readonly SerialPortListing[]): SerialPortListing {
  const candidates = ports.filter((p) => p.likelyEsp);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return only;
  if (candidates.length === 0) {
    const present = ports.length === 0 ? "no serial ports at all" : `only ${ports.map(describePort).join(", ")}`;
    throw new EspsyncError("PORT_NOT_FOUND", `no ESP board found among the serial ports (${present})`, {
      hint: "Connect the board with a data cable, or name the port explicitly (e.g. /dev/ttyUSB0, COM3).",
    });
  }
  throw new EspsyncError("PORT_AMBIGUOUS", `${candidates.length} serial ports look like ESP boards: ${candidates.map(describePort).join(", ")}`, {
    hint: "Name the port to use explicitly.",
  });
}

/** One port in a message: `/dev/ttyUSB0 (CP210x 10c4:ea60, serial 0001)`. */
export function describePort(port: SerialPortListing): string {
  const details: string[] = [];
  if (port.vid !== undefined) details.push(`${port.bridge ?? port.product ?? "USB"} ${formatUsbId(port.vid, port.pid)}`);
  if (port.serialNumber !== undefined) details.push(`serial ${port.serialNumber}`);
  return details.length === 0 ? port.path : `${port.path} (${details.join(", ")})`;
}
