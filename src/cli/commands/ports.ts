/**
 * `espsync ports`: the serial ports of this machine with their USB identity and a guess at the
 * bridge, marking the ones that look like ESP boards (what `--port auto` picks from).
 */
import type { SerialPortListing } from "../../../adapters/index.js";
import type { CommandSpec } from "../command.js";
import { hideUnusedConnectionOptions } from "../global-options.js";
import { EXIT } from "../exit-codes.js";
import { portLister } from "../ports/connect-board.js";
import { formatUsbId } from "../render/format.js";
import { Output } from "../render/output.js";
import { renderTable } from "../render/table.js";

/** One port in `--json`. */
export interface PortJson {
  readonly path: string;
  /** `10c4:ea60`, or null when not a USB device. */
  readonly usbId: string | null;
  readonly vid: number | null;
  readonly pid: number | null;
  readonly serialNumber: string | null;
  readonly manufacturer: string | null;
  readonly product: string | null;
  readonly bridge: string | null;
  readonly likelyEsp: boolean;
}

function toJson(p: SerialPortListing): PortJson {
  return {
    path: p.path,
    usbId: p.vid === undefined ? null : formatUsbId(p.vid, p.pid),
    vid: p.vid ?? null,
    pid: p.pid ?? null,
    serialNumber: p.serialNumber ?? null,
    manufacturer: p.manufacturer ?? null,
    product: p.product ?? null,
    bridge: p.bridge ?? null,
    likelyEsp: p.likelyEsp,
  };
}

export const portsCommand: CommandSpec = {
  command: "ports",
  aliases: ["list-ports"],
  describe: "List serial ports with USB id, serial number, manufacturer and bridge",
  examples: [
    ["espsync ports", "which port is the board on?"],
    ["espsync ports --json", "the same as JSON"],
  ],
  // It lists the ports; it connects to none.
  builder: (y) => hideUnusedConnectionOptions(y),
  run: async (_args, ctx) => {
    const ports = await portLister(ctx.io)();
    const out = new Output(ctx.io, ctx.globals);
    if (ports.length === 0) out.result("no serial ports found");
    else {
      const rows = ports.map((p) => [p.path, formatUsbId(p.vid, p.pid), p.serialNumber ?? "-", p.manufacturer ?? "-", p.bridge ?? "-", p.likelyEsp ? "yes" : ""]);
      for (const line of renderTable(["Port", "VID:PID", "Serial", "Manufacturer", "Bridge", "ESP?"], rows)) out.result(line);
    }
    if (ctx.globals.json) ctx.emitJson({ ok: true, command: "ports", ports: ports.map(toJson) });
    return EXIT.ok;
  },
};
