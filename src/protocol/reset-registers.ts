/**
 * Per-chip registers of the resets and watchdogs espsync drives through READ_REG/WRITE_REG, and of
 * the chip's own USB ports, as esptool defines them in `esptool/targets/<chip>.py` (espressif/esptool
 * master `bb72741`): the RTC watchdog esptool's `watchdog_reset` arms, the super watchdog its
 * `disable_watchdogs` makes feed itself over USB-Serial/JTAG, the strap and force-download registers
 * of its S2/S3 `hard_reset`, and the ROM's UARTDEV_BUF_NO record of the port in use (esptool v5.2.0;
 * later versions tell the port by USB VID/PID alone, which a remote port does not expose).
 */
import type { ChipName } from "./device.js";

/** RTC_CNTL_WDT_WKEY: the value that unlocks the RTC watchdog's registers (every chip). */
export const RTC_WDT_KEY = 0x50d83aa1;

/** The RTC watchdog's CONFIG0, CONFIG1 and write-protect registers (esptool's RTC_CNTL_WDT*_REG). */
export interface RtcWatchdogRegisters {
  readonly config0: number;
  readonly config1: number;
  readonly wprotect: number;
}

/** The super watchdog: its config register, the auto-feed bit, its write-protect register and key. */
export interface SuperWatchdogRegisters {
  readonly conf: number;
  readonly autoFeed: number;
  readonly wprotect: number;
  readonly key: number;
}

/** The ROM's USB-OTG download port and what esptool's hard reset reads about the boot over it. */
export interface UsbOtgRegisters {
  /** The product id the ROM's port enumerates with (303A:<image chip id>, PROTOCOL.md §3.6). */
  readonly productId: number;
  /** GPIO_STRAP_REG and its SPI-boot bit (set = the boot pin was high at the last system reset). */
  readonly strapReg: number;
  readonly spiBootMask: number;
  /** RTC_CNTL_OPTION1_REG and its FORCE_DOWNLOAD_BOOT bit. */
  readonly option1Reg: number;
  readonly forceDownloadMask: number;
}

/** Where the ROM records the port it talks on, and the values that mean one of the chip's USB ports. */
export interface UartDevBufNo {
  /** Its address, which moves with the chip revision on some chips (major·100 + minor). */
  readonly addr: (revisionFull: number) => number;
  readonly usbOtg?: number;
  readonly usbSerialJtag?: number;
}

/**
 * What esptool's `hard_reset` does on the chip: `otg-strap` (S2/S3: the watchdog when over USB-OTG
 * with the boot pin latched low and no forced download, else RTS), `otg` (P4: the watchdog whenever
 * over USB-OTG), `rts` (an RTS pulse).
 */
export type HardResetStyle = "otg-strap" | "otg" | "rts";

/** One chip's entry. */
export interface ChipResetRegisters {
  /** The RTC watchdog (absent on the ESP32, which esptool never arms). */
  readonly rtcWdt?: RtcWatchdogRegisters;
  /**
   * Why esptool offers no watchdog reset on this chip although it has the registers, or none at all;
   * absent where `watchdog_reset` works.
   */
  readonly noWatchdogReset?: string;
  /** The super watchdog, on chips whose `disable_watchdogs` runs over USB-Serial/JTAG. */
  readonly swd?: SuperWatchdogRegisters;
  readonly usbOtg?: UsbOtgRegisters;
  readonly uartDevBufNo?: UartDevBufNo;
  readonly hardReset: HardResetStyle;
  /** esptool's RTS reset waits longer (200 ms) over this USB port (its `uses_usb` argument). */
  readonly slowRtsOver?: "usb-otg" | "usb-serial-jtag";
}

const NO_WDT_HARDWARE = "its hardware does not allow it (esptool docs, Watchdog Reset Limitations)";

/** Every chip espsync supports, from esptool's target files (see the module comment). */
export const RESET_REGISTERS: Readonly<Record<ChipName, ChipResetRegisters>> = {
  esp32: { noWatchdogReset: NO_WDT_HARDWARE, hardReset: "rts" },
  esp32s2: {
    rtcWdt: { config0: 0x3f408094, config1: 0x3f408098, wprotect: 0x3f4080ac },
    usbOtg: { productId: 0x0002, strapReg: 0x3f404038, spiBootMask: 1 << 3, option1Reg: 0x3f408128, forceDownloadMask: 0x1 },
    uartDevBufNo: { addr: () => 0x3ffffd14, usbOtg: 2 },
    hardReset: "otg-strap",
    slowRtsOver: "usb-otg",
  },
  esp32s3: {
    rtcWdt: { config0: 0x60008098, config1: 0x6000809c, wprotect: 0x600080b0 },
    swd: { conf: 0x600080b4, autoFeed: 0x80000000, wprotect: 0x600080b8, key: 0x8f1d312a },
    usbOtg: { productId: 0x0009, strapReg: 0x60004038, spiBootMask: 1 << 3, option1Reg: 0x6000812c, forceDownloadMask: 0x1 },
    uartDevBufNo: { addr: () => 0x3fcef14c, usbOtg: 3, usbSerialJtag: 4 },
    hardReset: "otg-strap",
    slowRtsOver: "usb-otg",
  },
  // esptool's C2 class skips `disable_watchdogs` (it has no USB port).
  esp32c2: { rtcWdt: { config0: 0x60008084, config1: 0x60008088, wprotect: 0x6000809c }, hardReset: "rts" },
  esp32c3: {
    rtcWdt: { config0: 0x60008090, config1: 0x60008094, wprotect: 0x600080a8 },
    swd: { conf: 0x600080ac, autoFeed: 0x80000000, wprotect: 0x600080b0, key: 0x8f1d312a },
    // `.bss.UartDev` moved with revision v1.1; buff_uart_no is 24 bytes in.
    uartDevBufNo: { addr: (rev) => (rev < 101 ? 0x3fcdf064 : 0x3fcdf060) + 24, usbSerialJtag: 3 },
    hardReset: "rts",
  },
  esp32c6: {
    rtcWdt: { config0: 0x600b1c00, config1: 0x600b1c04, wprotect: 0x600b1c18 },
    noWatchdogReset: "it can freeze the chip until a power cycle (esptool disables it on the ESP32-C6)",
    swd: { conf: 0x600b1c1c, autoFeed: 1 << 18, wprotect: 0x600b1c20, key: RTC_WDT_KEY },
    uartDevBufNo: { addr: () => 0x4087f580, usbSerialJtag: 3 },
    hardReset: "rts",
  },
  esp32h2: {
    rtcWdt: { config0: 0x600b1c00, config1: 0x600b1c04, wprotect: 0x600b1c1c },
    noWatchdogReset: NO_WDT_HARDWARE,
    swd: { conf: 0x600b1c20, autoFeed: 1 << 18, wprotect: 0x600b1c24, key: RTC_WDT_KEY },
    uartDevBufNo: { addr: () => 0x4084fefc, usbSerialJtag: 3 },
    hardReset: "rts",
  },
  // The C5 keeps the C6's LP watchdog registers (esptool's class inherits them) and re-enables the reset.
  esp32c5: {
    rtcWdt: { config0: 0x600b1c00, config1: 0x600b1c04, wprotect: 0x600b1c18 },
    swd: { conf: 0x600b1c1c, autoFeed: 1 << 18, wprotect: 0x600b1c20, key: RTC_WDT_KEY },
    uartDevBufNo: { addr: () => 0x4085f514, usbSerialJtag: 3 },
    hardReset: "rts",
    slowRtsOver: "usb-serial-jtag",
  },
  // The C61 keeps the C6's LP watchdogs and, like the C5, re-enables the watchdog reset.
  esp32c61: {
    rtcWdt: { config0: 0x600b1c00, config1: 0x600b1c04, wprotect: 0x600b1c18 },
    swd: { conf: 0x600b1c1c, autoFeed: 1 << 18, wprotect: 0x600b1c20, key: RTC_WDT_KEY },
    hardReset: "rts",
  },
  esp32p4: {
    rtcWdt: { config0: 0x50116000, config1: 0x50116004, wprotect: 0x50116018 },
    swd: { conf: 0x5011601c, autoFeed: 1 << 18, wprotect: 0x50116020, key: RTC_WDT_KEY },
    usbOtg: { productId: 0x0012, strapReg: 0x500e0038, spiBootMask: 0x8, option1Reg: 0x50110008, forceDownloadMask: 0x4 },
    // `.bss.UartDev` moved with revision v3.0.
    uartDevBufNo: { addr: (rev) => (rev < 300 ? 0x4ff3feb0 : 0x4ffbfeb0) + 24, usbOtg: 5, usbSerialJtag: 6 },
    hardReset: "otg",
  },
};

/** The RTC watchdog registers of `chip` when esptool resets it with them, else undefined. */
export function watchdogResetRegisters(chip: ChipName): RtcWatchdogRegisters | undefined {
  const entry = RESET_REGISTERS[chip];
  return entry.noWatchdogReset === undefined ? entry.rtcWdt : undefined;
}
