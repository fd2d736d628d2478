/**
 * The in-process `Port` onto a virtual chip. Chip output reaches listeners asynchronously (the chip
 * delivers from setImmediate), never re-entrantly inside `write`.
 */
import { resolve as resolvePath } from "node:path";
import { EspsyncError } from "../../src/errors.js";
import { PortListeners } from "../../src/transport/port-listeners.js";
import type { ControlLines, Port, PortCapabilities, PortInfo } from "../../src/transport/port.js";
import type { SimOptions } from "./options.js";
import { parseSimUrl } from "./sim-url.js";
import { ESPRESSIF_USB } from "./usb-ports.js";
import { VirtualChip } from "./virtual-chip.js";

/**
 * The USB identity the host sees (§3.6): the USB-Serial/JTAG peripheral is 303A:1001; the ROM's
 * USB-OTG port enumerates with the chip's image chip id as product id; a UART bridge is not the chip's.
 */
function usbIdentity(chip: VirtualChip): { usbVendorId?: number; usbProductId?: number } {
  switch (chip.portKind) {
    case "usb-jtag":
      return { usbVendorId: ESPRESSIF_USB.vendorId, usbProductId: ESPRESSIF_USB.usbJtagSerialProductId };
    case "usb-otg":
      return { usbVendorId: ESPRESSIF_USB.vendorId, usbProductId: chip.spec.chipId };
    default:
      return {};
  }
}

/** A `Port` wired straight to a {@link VirtualChip}. */
export class SimPort implements Port {
  readonly info: PortInfo;
  readonly capabilities: PortCapabilities = { controlLines: true, setBaudRate: true };
  baudRate = 0;
  private isOpen = false;
  private readonly listeners = new PortListeners();
  private unsubscribe: (() => void)[] = [];

  constructor(readonly chip: VirtualChip, path: string) {
    this.info = { path, ...usbIdentity(chip) };
  }

  async open(baudRate: number): Promise<void> {
    if (this.isOpen) throw new EspsyncError("PORT_BUSY", `${this.info.path} is already open`, { hint: "Close the port before opening it again." });
    this.isOpen = true;
    this.listeners.reset();
    this.baudRate = baudRate;
    this.chip.setBaudRate(baudRate);
    this.unsubscribe = [
      this.chip.onTransmit((data) => this.listeners.emitData(data)),
      this.chip.onDisconnect((reason) => this.shutdown(reason)),
    ];
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.isOpen) throw new EspsyncError("PORT_CLOSED", `${this.info.path} is closed`, { hint: "Open the port again." });
    this.chip.receive(data);
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.listeners.addData(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.listeners.addClose(listener);
  }

  async setLines(lines: ControlLines): Promise<void> {
    if (this.isOpen) this.chip.setLines(lines);
  }

  async setBaudRate(baudRate: number): Promise<void> {
    this.baudRate = baudRate;
    if (this.isOpen) this.chip.setBaudRate(baudRate);
  }

  async close(): Promise<void> {
    this.shutdown();
  }

  private shutdown(error?: Error): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.listeners.emitClose(error);
  }
}

/**
 * Opens (creates) a port for `url` or options; pass `chip` to reach an existing virtual chip. A
 * relative flash file is resolved against `cwd` (a program embedding the CLI has its own).
 */
export function openSimPort(url: string | SimOptions, chip?: VirtualChip, cwd?: string): SimPort {
  const parsed = typeof url === "string" ? parseSimUrl(url) : url;
  const options = parsed.flashFile !== undefined && cwd !== undefined ? { ...parsed, flashFile: resolvePath(cwd, parsed.flashFile) } : parsed;
  const path = typeof url === "string" ? url : `sim:${options.chip}`;
  return new SimPort(chip ?? new VirtualChip(options), path);
}
