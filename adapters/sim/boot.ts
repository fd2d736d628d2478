/**
 * What the chip prints when it comes out of reset (PROTOCOL.md §4.4): the ROM banner, then either
 * "waiting for download" or — booting from flash — what an ESP-IDF application logs about itself,
 * taken from the app description (`esp_app_desc_t`, §5.5) of the image at 0x10000.
 */
import type { SimChipSpec } from "./chip-table.js";
import { WAITING_FOR_DOWNLOAD } from "./chip-table.js";
import type { FlashModel } from "./flash-model.js";

/** Image layout facts used at boot, §5.4/§5.5. */
export const APP_IMAGE = {
  /** Where the simulated bootloader looks for the application (the usual factory partition). */
  APP_OFFSET: 0x10000,
  IMAGE_MAGIC: 0xe9,
  /** esp_app_desc_t starts at image offset 0x20 in IDF apps. */
  DESC_OFFSET: 0x20,
  DESC_MAGIC: 0xabcd5432,
  VERSION_OFFSET: 16,
  PROJECT_OFFSET: 48,
  IDF_VER_OFFSET: 112,
} as const;

/** Fields of the app description the boot log shows. */
export interface AppDescription {
  readonly projectName: string;
  readonly version: string;
  readonly idfVersion: string;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(end < 0 ? bytes : bytes.subarray(0, end)).toString("latin1");
}

/** Reads the app description of the image at `offset`, or undefined when there is no valid one. */
export function readAppDescription(flash: FlashModel, offset: number = APP_IMAGE.APP_OFFSET): AppDescription | undefined {
  const descAt = offset + APP_IMAGE.DESC_OFFSET;
  if (!flash.inRange(descAt, 256) || flash.bytes[offset] !== APP_IMAGE.IMAGE_MAGIC) return undefined;
  const view = new DataView(flash.bytes.buffer, flash.bytes.byteOffset);
  if (view.getUint32(descAt, true) !== APP_IMAGE.DESC_MAGIC) return undefined;
  const field = (off: number, len: number) => cString(flash.bytes.subarray(descAt + off, descAt + off + len));
  return {
    version: field(APP_IMAGE.VERSION_OFFSET, 32),
    projectName: field(APP_IMAGE.PROJECT_OFFSET, 32),
    idfVersion: field(APP_IMAGE.IDF_VER_OFFSET, 32),
  };
}

/** Baud rate of the ROM after reset. */
export const ROM_BAUD = 115200;

/**
 * Why the chip reset: power/EN pin, the USB-Serial/JTAG peripheral (§4.4), the ROM's USB-OTG
 * console (a software CPU reset, which keeps the latched boot pin), or the RTC watchdog.
 */
export type ResetCause = "power-on" | "usb-jtag" | "usb-otg" | "rtc-wdt";

/** The ROM's reset reason as its banner prints it, per cause (power-on is the banner as stored). */
const RESET_REASON: Record<Exclude<ResetCause, "power-on">, string> = {
  "usb-jtag": "rst:0x15 (USB_UART_CHIP_RESET)",
  "usb-otg": "rst:0xc (RTC_SW_CPU_RST)",
  "rtc-wdt": "rst:0x10 (RTCWDT_RTC_RST)",
};

function banner(lines: readonly string[], cause: ResetCause): string[] {
  if (cause === "power-on") return [...lines];
  return lines.map((l) => l.replace(/^rst:0x1 \(POWERON\)/, RESET_REASON[cause]));
}

/** Lines printed when the chip resets into download mode. */
export function downloadBootLines(spec: SimChipSpec, cause: ResetCause): string[] {
  return [...banner(spec.bannerDownload, cause), WAITING_FOR_DOWNLOAD];
}

/** Offset of the chip id in an image's extended header (image header 8 bytes + wp pin + 3 drive bytes), §5.4. */
const IMAGE_CHIP_ID_OFFSET = 12;

/** What the ROM prints when there is no bootloader image where it looks. */
function noBootloaderLines(spec: SimChipSpec, flash: FlashModel): string[] {
  if (spec.noImageStyle === "flash-read-err") return [`flash read err, ${spec.bootloaderOffset.toString(16)}`];
  const word = new DataView(flash.bytes.buffer, flash.bytes.byteOffset).getUint32(spec.bootloaderOffset, true);
  return [`invalid header: 0x${word.toString(16).padStart(8, "0")}`];
}

function imageChipId(flash: FlashModel, offset: number): number {
  return new DataView(flash.bytes.buffer, flash.bytes.byteOffset).getUint16(offset + IMAGE_CHIP_ID_OFFSET, true);
}

/**
 * Lines an application logs once it runs (ESP-IDF `app_init` style), then the scripted output.
 * The ROM needs an image at the chip's bootloader offset, and ESP-IDF's bootloader refuses an
 * application built for another chip (`esp_image`'s chip id check), so neither boots the app.
 */
export function appLines(spec: SimChipSpec, flash: FlashModel, appOutput: readonly string[]): string[] {
  const desc = readAppDescription(flash);
  if (!desc || flash.bytes[spec.bootloaderOffset] !== APP_IMAGE.IMAGE_MAGIC) return noBootloaderLines(spec, flash);
  const appChipId = imageChipId(flash, APP_IMAGE.APP_OFFSET);
  if (appChipId !== spec.chipId) {
    return [
      `E (120) esp_image: mismatch chip ID, expected ${spec.chipId}, found ${appChipId}`,
      "E (126) boot: Factory app partition is not bootable",
      "E (131) boot: No bootable app partitions in the partition table",
    ];
  }
  return [
    "I (311) app_init: Application information:",
    `I (312) app_init: Project name:     ${desc.projectName}`,
    `I (313) app_init: App version:      ${desc.version}`,
    `I (315) app_init: ESP-IDF:          ${desc.idfVersion}`,
    "I (320) main_task: Calling app_main()",
    ...appOutput,
  ];
}

/** Lines printed when the chip boots from flash. */
export function flashBootLines(spec: SimChipSpec, flash: FlashModel, appOutput: readonly string[], cause: ResetCause): string[] {
  return [...banner(spec.bannerSpiBoot, cause), ...appLines(spec, flash, appOutput)];
}

/** What the chip prints coming out of reset: the download-mode banner, or the flash boot log and the app's lines. */
export function bootLines(spec: SimChipSpec, flash: FlashModel, appOutput: readonly string[], download: boolean, cause: ResetCause): string[] {
  return download ? downloadBootLines(spec, cause) : flashBootLines(spec, flash, appOutput, cause);
}

/** Encodes lines the way the ROM and IDF print them: CR LF after each. */
export function encodeLines(lines: readonly string[]): Uint8Array {
  return new Uint8Array(Buffer.from(lines.map((l) => `${l}\r\n`).join(""), "latin1"));
}
