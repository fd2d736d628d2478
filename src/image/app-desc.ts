/**
 * Parsers of the descriptions IDF embeds at the start of the first segment: `esp_app_desc_t` in apps
 * and `esp_bootloader_desc_t` in bootloaders (PROTOCOL.md §5.5).
 */
import { toHex } from "../util/hex.js";
import type { EspImageInfo } from "./esp-image.js";

/** Magic word of `esp_app_desc_t` (PROTOCOL.md §5.5). */
export const APP_DESC_MAGIC = 0xabcd5432;
/** Magic byte of `esp_bootloader_desc_t` (PROTOCOL.md §5.5). */
export const BOOTLOADER_DESC_MAGIC = 0x50;
const APP_DESC_BYTES = 256;
const BOOTLOADER_DESC_BYTES = 80;

/** Fields of `esp_app_desc_t`. */
export interface AppDescription {
  readonly secureVersion: number;
  readonly version: string;
  readonly projectName: string;
  readonly time: string;
  readonly date: string;
  readonly idfVersion: string;
  /** SHA-256 of the app's ELF file (hex). */
  readonly elfSha256: string;
  /** Minimum eFuse block revision, major·100 + minor. */
  readonly minEfuseBlockRevFull: number;
  /** Maximum eFuse block revision, major·100 + minor. */
  readonly maxEfuseBlockRevFull: number;
  /** log2 of the MMU page size, 0 = chip default. */
  readonly mmuPageSizeLog2: number;
}

/** Fields of `esp_bootloader_desc_t`. */
export interface BootloaderDescription {
  readonly version: number;
  readonly idfVersion: string;
  readonly dateTime: string;
}

function cString(bytes: Uint8Array, offset: number, length: number): string {
  const field = bytes.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return Buffer.from(field.subarray(0, end < 0 ? field.length : end)).toString("utf8");
}

/** Data of the first segment, when it is long enough for `minBytes`. */
function firstSegment(bytes: Uint8Array, image: EspImageInfo, minBytes: number): Uint8Array | undefined {
  const seg = image.segments[0];
  if (seg === undefined || seg.sizeBytes < minBytes) return undefined;
  return bytes.subarray(seg.fileOffset, seg.fileOffset + seg.sizeBytes);
}

/** Parses the app description of an app image; undefined when the magic word is absent. */
export function parseAppDescription(bytes: Uint8Array, image: EspImageInfo): AppDescription | undefined {
  const d = firstSegment(bytes, image, APP_DESC_BYTES);
  if (d === undefined) return undefined;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  if (v.getUint32(0, true) !== APP_DESC_MAGIC) return undefined;
  return {
    secureVersion: v.getUint32(4, true),
    version: cString(d, 16, 32),
    projectName: cString(d, 48, 32),
    time: cString(d, 80, 16),
    date: cString(d, 96, 16),
    idfVersion: cString(d, 112, 32),
    elfSha256: toHex(d.subarray(144, 176)),
    minEfuseBlockRevFull: v.getUint16(176, true),
    maxEfuseBlockRevFull: v.getUint16(178, true),
    mmuPageSizeLog2: d[180] ?? 0,
  };
}

/** Parses the bootloader description of a bootloader image; undefined when the magic byte is absent. */
export function parseBootloaderDescription(bytes: Uint8Array, image: EspImageInfo): BootloaderDescription | undefined {
  const d = firstSegment(bytes, image, BOOTLOADER_DESC_BYTES);
  if (d === undefined || d[0] !== BOOTLOADER_DESC_MAGIC) return undefined;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  return { version: v.getUint32(4, true), idfVersion: cString(d, 8, 32), dateTime: cString(d, 40, 24) };
}
