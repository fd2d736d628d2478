/**
 * Which port the host reaches the chip through — a UART (USB bridge, remote serial), the chip's
 * USB-Serial/JTAG peripheral or the ROM's USB-OTG port — and what esptool does after connecting
 * because of it (its `_post_connect`): over USB-OTG the ROM and the stub take data blocks of at most
 * USB_RAM_BLOCK bytes; over USB-Serial/JTAG, where a reset does not stop them, the RTC watchdog is
 * switched off and the super watchdog set to feed itself, so neither resets the chip mid-write.
 */
import type { ESPLoader } from "esptool-js";
import { hex32 } from "../errors.js";
import type { PortInfo } from "../transport/port.js";
import type { CommandLink } from "./command-link.js";
import type { ChipName } from "./device.js";
import { OP } from "./opcodes.js";
import { RESET_REGISTERS, RTC_WDT_KEY } from "./reset-registers.js";
import { u32le } from "./words.js";

/** How the host reaches the chip. */
export type ChipPort = "uart" | "usb-serial-jtag" | "usb-otg";

/** Espressif's USB vendor id and the USB-Serial/JTAG peripheral's product id (PROTOCOL.md §3.6). */
export const ESPRESSIF_USB = { vendorId: 0x303a, usbSerialJtagProductId: 0x1001 } as const;

/** esptool's USB_RAM_BLOCK: the largest data block the ROM and the stub take over USB-OTG (S2, S3, P4). */
export const USB_OTG_BLOCK_BYTES = 0x800;

/**
 * The port kind from the port's USB identity, in esptool-js's order (`usesUsbOtg`): 303A:<image chip
 * id> is the ROM's USB-OTG port, 303A:1001 the USB-Serial/JTAG peripheral, any other vendor a UART
 * bridge. Undefined when the identity does not tell (a remote port, or a customised product id).
 */
export function portFromUsbIdentity(info: PortInfo, chip: ChipName): ChipPort | undefined {
  const { usbVendorId: vid, usbProductId: pid } = info;
  const otg = RESET_REGISTERS[chip].usbOtg;
  if (vid === ESPRESSIF_USB.vendorId && otg !== undefined && pid === otg.productId) return "usb-otg";
  if (vid === ESPRESSIF_USB.vendorId && pid === ESPRESSIF_USB.usbSerialJtagProductId) return "usb-serial-jtag";
  if (vid !== undefined && vid !== ESPRESSIF_USB.vendorId) return "uart";
  return undefined;
}

/** What {@link detectChipPort} and {@link afterConnect} need from the session being set up. */
export interface ChipPortContext {
  readonly link: CommandLink;
  readonly loader: ESPLoader;
  readonly chip: ChipName;
  /** Revision as major·100 + minor (some chips moved UARTDEV_BUF_NO with a revision). */
  readonly revisionFull: number;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

/**
 * The port kind: from the USB identity when it tells, else from the ROM's UARTDEV_BUF_NO record
 * where the chip has one (not in Secure Download Mode, which refuses READ_REG), else a UART.
 */
export async function detectChipPort(ctx: ChipPortContext, info: PortInfo): Promise<ChipPort> {
  const byIdentity = portFromUsbIdentity(info, ctx.chip);
  if (byIdentity !== undefined) return byIdentity;
  const record = RESET_REGISTERS[ctx.chip].uartDevBufNo;
  if (record === undefined || ctx.link.state.secureDownloadMode) return "uart";
  const addr = record.addr(ctx.revisionFull);
  const reply = await ctx.link.command(OP.READ_REG, u32le(addr), { what: `READ_REG ${hex32(addr)} (UARTDEV_BUF_NO)`, timeoutMs: ctx.timeoutMs });
  const port = reply.value & 0xff;
  if (port === record.usbOtg) return "usb-otg";
  if (port === record.usbSerialJtag) return "usb-serial-jtag";
  return "uart";
}

/** The largest data block (stub upload, flash writes) the chip takes over `port`, if limited. */
export function dataBlockLimit(port: ChipPort): number | undefined {
  return port === "usb-otg" ? USB_OTG_BLOCK_BYTES : undefined;
}

/**
 * esptool-js keeps a stub that answered SYNC (value 0) in a private field; esptool skips the
 * watchdog writes for a stub it reuses, and so does espsync.
 */
function stubAnsweredSync(loader: ESPLoader): boolean {
  return Reflect.get(loader, "syncStubDetected") === true;
}

/**
 * esptool's `_post_connect` for the port: smaller stub-upload blocks over USB-OTG; over
 * USB-Serial/JTAG, in the ROM loader (not a stub found running, not Secure Download Mode), the
 * watchdog writes of its `disable_watchdogs`, one WRITE_REG each, in esptool's order.
 */
export async function afterConnect(ctx: ChipPortContext, port: ChipPort): Promise<void> {
  const limit = dataBlockLimit(port);
  if (limit !== undefined) ctx.loader.ESP_RAM_BLOCK = Math.min(ctx.loader.ESP_RAM_BLOCK, limit);
  const { state } = ctx.link;
  const entry = RESET_REGISTERS[ctx.chip];
  if (port !== "usb-serial-jtag" || state.secureDownloadMode || state.stub || stubAnsweredSync(ctx.loader)) return;
  if (entry.rtcWdt === undefined || entry.swd === undefined) return;
  const { rtcWdt: wdt, swd } = entry;
  const write = (addr: number, value: number, what: string) =>
    ctx.link.command(OP.WRITE_REG, u32le(addr, value, 0xffffffff, 0), { what: `WRITE_REG ${hex32(addr)} (${what})`, timeoutMs: ctx.timeoutMs });
  ctx.log("USB-Serial/JTAG: disabling the RTC watchdog and letting the super watchdog feed itself.");
  await write(wdt.wprotect, RTC_WDT_KEY, "unlock the RTC watchdog");
  await write(wdt.config0, 0, "disable the RTC watchdog");
  await write(wdt.wprotect, 0, "lock the RTC watchdog");
  await write(swd.wprotect, swd.key, "unlock the super watchdog");
  const conf = await ctx.link.command(OP.READ_REG, u32le(swd.conf), { what: `READ_REG ${hex32(swd.conf)} (super watchdog config)`, timeoutMs: ctx.timeoutMs });
  await write(swd.conf, (conf.value | swd.autoFeed) >>> 0, "super watchdog auto-feed");
  await write(swd.wprotect, 0, "lock the super watchdog");
}

/** Detects the port kind and does esptool's `_post_connect` for it; returns the kind. */
export async function setUpChipPort(ctx: ChipPortContext, info: PortInfo): Promise<ChipPort> {
  const port = await detectChipPort(ctx, info);
  await afterConnect(ctx, port);
  return port;
}
