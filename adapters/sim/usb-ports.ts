/**
 * How a host reaches a simulated chip (its port kind) and the per-chip facts that come with it:
 * the USB identity of each port, where the ROM records the port it talks on, the boot strap
 * register and the "force download boot" flag. Sources: esptool's target files
 * (`esptool/targets/esp32s2.py`, `esp32s3.py`, `esp32c3.py`, `esp32c6.py`, `esp32h2.py`,
 * `esp32c5.py`, `esp32p4.py`); the UARTDEV_BUF_NO addresses and values as esptool v5.2 has them
 * (later versions tell the port by USB VID/PID alone); PROTOCOL.md §3.6 for the USB ids.
 *
 * Keyed by chip name string, so a chip gets its USB facts here before its chip-table entry exists.
 */
import { EspsyncError } from "../../src/errors.js";
import { SIM_CHIP_TABLE, SIM_CHIPS, type SimChipName, type SimChipSpec } from "./chip-table.js";
import type { SimOptions } from "./options.js";
import { OP, ROM_ERR, STUB_ERR } from "./protocol-constants.js";

/** The host's way in: a USB-UART bridge (or any UART link), the USB-Serial/JTAG peripheral, or the USB-OTG ROM port. */
export type SimPortKind = "uart" | "usb-jtag" | "usb-otg";

/** Espressif's USB vendor id; the USB-Serial/JTAG peripheral's product id (PROTOCOL.md §3.6). */
export const ESPRESSIF_USB = { vendorId: 0x303a, usbJtagSerialProductId: 0x1001 } as const;

/**
 * Largest data block (MEM_DATA, FLASH_DATA, FLASH_DEFL_DATA payload after its 16-byte header) the
 * ROM and the stub take over USB-OTG: esptool's USB_RAM_BLOCK, the size of their USB receive buffer.
 */
export const USB_OTG_MAX_DATA_BYTES = 0x800;

/** The GPIO strap register as the ROM latched it at the last system reset (esptool's GPIO_STRAP_REG). */
export interface StrapRegister {
  readonly reg: number;
  /** Its value when the boot pin was high (SPI boot: esptool's GPIO_STRAP_SPI_BOOT_MASK set). */
  readonly flashBoot: number;
  /** Its value when the boot pin was low (download mode); the other strap pins as at flash boot. */
  readonly download: number;
}

/** One chip's USB facts. */
export interface SimUsbFacts {
  /**
   * Address of `UartDev.buff_uart_no` in the ROM's .bss, which says which port the ROM talks on,
   * and its value per port kind (UART0 is port 0; a kind the chip lacks is absent).
   */
  readonly uartDevBufNo: { readonly addr: number; readonly values: Readonly<Partial<Record<SimPortKind, number>>> };
  /** The chip has the USB-OTG ROM download port (it enumerates as 303A:<image chip id>). */
  readonly usbOtg: boolean;
  /** GPIO strap register (read by esptool's S2/S3 hard reset over USB-OTG). */
  readonly strap?: StrapRegister;
  /**
   * RTC_CNTL_OPTION1's FORCE_DOWNLOAD_BOOT bit: set, every reset short of a power cycle enters the
   * download mode (the register lives in the RTC domain).
   */
  readonly forceDownload?: { readonly reg: number; readonly mask: number };
}

/** Per chip, from esptool's target files (see the module comment). */
export const SIM_USB_PORTS: Readonly<Record<string, SimUsbFacts>> = {
  esp32s2: {
    uartDevBufNo: { addr: 0x3fff_fd14, values: { uart: 0, "usb-otg": 2 } },
    usbOtg: true,
    strap: { reg: 0x3f40_4038, flashBoot: 0x8, download: 0x0 },
    forceDownload: { reg: 0x3f40_8128, mask: 0x1 },
  },
  esp32s3: {
    uartDevBufNo: { addr: 0x3fce_f14c, values: { uart: 0, "usb-otg": 3, "usb-jtag": 4 } },
    usbOtg: true,
    strap: { reg: 0x6000_4038, flashBoot: 0x8, download: 0x0 },
    forceDownload: { reg: 0x6000_812c, mask: 0x1 },
  },
  // The C3's record moved with revision v1.1 (0x3FCDF060); the simulated C3 is a v0.3.
  esp32c3: { uartDevBufNo: { addr: 0x3fcd_f064 + 24, values: { uart: 0, "usb-jtag": 3 } }, usbOtg: false },
  esp32c6: { uartDevBufNo: { addr: 0x4087_f580, values: { uart: 0, "usb-jtag": 3 } }, usbOtg: false },
  esp32h2: { uartDevBufNo: { addr: 0x4084_fefc, values: { uart: 0, "usb-jtag": 3 } }, usbOtg: false },
  esp32c5: { uartDevBufNo: { addr: 0x4085_f514, values: { uart: 0, "usb-jtag": 3 } }, usbOtg: false },
  // Revision v1.0: the record sits at 0x4FF3FEB0 + 24 before v3.0 (0x4FFBFEB0 + 24 from v3.0 on).
  esp32p4: {
    uartDevBufNo: { addr: 0x4ff3_feb0 + 24, values: { uart: 0, "usb-otg": 5, "usb-jtag": 6 } },
    usbOtg: true,
    strap: { reg: 0x500e_0038, flashBoot: 0x30f, download: 0x307 },
    forceDownload: { reg: 0x5011_0008, mask: 0x4 },
  },
};

/** The USB facts of `chip`, if the table has them. */
export function usbFacts(chip: string): SimUsbFacts | undefined {
  return Object.hasOwn(SIM_USB_PORTS, chip) ? SIM_USB_PORTS[chip] : undefined;
}

/** Whether `chip` has the USB-OTG ROM download port. */
export function hasUsbOtg(chip: string): boolean {
  return usbFacts(chip)?.usbOtg === true;
}

/** Commands that carry a data block after a 16-byte header (§2). */
const BLOCK_OPS: readonly number[] = [OP.MEM_DATA, OP.FLASH_DATA, OP.FLASH_DEFL_DATA, OP.FLASH_ENCRYPT_DATA];

/**
 * Over USB-OTG the ROM and the stub take data blocks of at most 0x800 bytes (their USB buffer): a
 * longer one is refused as a bad length, ROM `01 05`, stub `C0` (PROTOCOL.md §1.5). Returns the
 * error for the loader to answer with, or undefined when the request is fine.
 */
export function usbOtgBlockError(kind: SimPortKind, mode: "app" | "rom" | "stub", req: { op: number; data: Uint8Array } | undefined): number | undefined {
  if (kind !== "usb-otg" || !req || !BLOCK_OPS.includes(req.op) || req.data.length <= 16 + USB_OTG_MAX_DATA_BYTES) return undefined;
  return mode === "stub" ? STUB_ERR.BAD_DATA_LEN : ROM_ERR.BAD_FORMAT;
}

/** Whether the simulated `chip` (its chip-table entry `spec`) offers the port kind. */
export function hasPortKind(chip: string, spec: Pick<SimChipSpec, "usbJtagSerial">, kind: SimPortKind): boolean {
  if (kind === "usb-jtag") return spec.usbJtagSerial;
  if (kind === "usb-otg") return hasUsbOtg(chip);
  return true;
}

/** The simulated chips that offer the port kind. */
export function chipsWithPortKind(kind: SimPortKind): SimChipName[] {
  return SIM_CHIPS.filter((chip) => hasPortKind(chip, SIM_CHIP_TABLE[chip], kind));
}

const PORT_NAMES: Record<SimPortKind, string> = { uart: "UART", "usb-jtag": "USB-Serial/JTAG", "usb-otg": "USB-OTG" };

/**
 * Refuses a port kind the chip lacks (`USAGE`), naming the chips that have it; `where` ends the
 * message (`in sim:esp32?usb=otg`, `for espsync sim --chip esp32`).
 */
export function checkPortKind(chip: string, spec: Pick<SimChipSpec, "usbJtagSerial" | "displayName">, kind: SimPortKind, where: string): void {
  if (hasPortKind(chip, spec, kind)) return;
  const others = chipsWithPortKind(kind);
  throw new EspsyncError("USAGE", `the simulated ${spec.displayName} has no ${PORT_NAMES[kind]} port ${where}`, {
    hint: `Simulated chips with a ${PORT_NAMES[kind]} port: ${others.join(", ") || "none"}; leave usb out for a UART link.`,
  });
}

/**
 * The port kind a chip built from `options` uses: `portKind`, else a UART. A kind the chip lacks
 * is refused.
 */
export function resolvePortKind(options: Pick<SimOptions, "chip" | "portKind">, spec: SimChipSpec): SimPortKind {
  const kind = options.portKind ?? "uart";
  checkPortKind(options.chip, spec, kind, `for the simulated ${spec.displayName}`);
  return kind;
}
