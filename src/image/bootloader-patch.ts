/**
 * `--flash-mode`, `--flash-freq`, `--flash-size` patching of the bootloader header, as esptool does it
 * (PROTOCOL.md §5.3): bytes 2 and 3 of the image at the chip's bootloader offset are rewritten and,
 * when the image carries an appended SHA-256, the digest over [0, data_length) is recomputed so the
 * bytes on flash stay self-consistent.
 */
import { createHash } from "node:crypto";
import { EspsyncError } from "../errors.js";
import { CHIP_FACTS, type ImageChip } from "./chip-table.js";
import { ESP_IMAGE_MAGIC, FLASH_MODE_NAMES, parseEspImage } from "./esp-image.js";

/** Flash size name → high nibble of header byte 3 (PROTOCOL.md §5.3). */
export const FLASH_SIZE_CODES = {
  "1MB": 0x00, "2MB": 0x10, "4MB": 0x20, "8MB": 0x30, "16MB": 0x40, "32MB": 0x50, "64MB": 0x60, "128MB": 0x70,
} as const;

/** Flash mode name → header byte 2 (PROTOCOL.md §5.3). */
export const FLASH_MODE_CODES = { qio: 0, qout: 1, dio: 2, dout: 3 } as const;

/** Header settings to apply; every field defaults to `keep`. `flashSize` may also be `detect`. */
export interface FlashSettings {
  readonly flashMode?: string;
  readonly flashFreq?: string;
  readonly flashSize?: string;
}

/** Result of {@link patchBootloader}. */
export interface BootloaderPatch {
  /** Patched copy, or the input itself when nothing changed. */
  readonly data: Uint8Array;
  /** Header bytes 2–3 changed. */
  readonly patched: boolean;
  /** The appended SHA-256 was recomputed. */
  readonly shaUpdated: boolean;
}

/** Size in bytes of a flash size name (`4MB` → 4194304), or undefined when unknown. */
export function flashSizeBytes(name: string): number | undefined {
  const m = /^(\d+)MB$/i.exec(name.trim());
  if (m === null) return undefined;
  const key = `${Number(m[1])}MB`;
  return key in FLASH_SIZE_CODES ? Number(m[1]) * 1024 * 1024 : undefined;
}

/** The flash size name of a byte count (`4194304` → `4MB`), or undefined when not a header size. */
export function flashSizeName(sizeBytes: number): string | undefined {
  const name = `${sizeBytes / (1024 * 1024)}MB`;
  return name in FLASH_SIZE_CODES ? name : undefined;
}

function usage(what: string, value: string, valid: readonly string[]): EspsyncError {
  return new EspsyncError("USAGE", `unknown ${what} "${value}"`, { hint: `Use one of: keep, ${valid.join(", ")}.` });
}

/**
 * Checks the settings against the chip (frequency names differ per chip) without patching anything.
 * Throws `USAGE` for a value the chip does not know.
 */
export function checkFlashSettings(chip: ImageChip, settings: FlashSettings): void {
  const { flashMode = "keep", flashFreq = "keep", flashSize = "keep" } = settings;
  if (flashMode !== "keep" && !(flashMode in FLASH_MODE_CODES)) throw usage("flash mode", flashMode, FLASH_MODE_NAMES);
  const freqs = CHIP_FACTS[chip].flashFreqs;
  if (flashFreq !== "keep" && freqs[flashFreq] === undefined) throw usage(`flash frequency for ${chip}`, flashFreq, Object.keys(freqs));
  if (flashSize !== "keep" && flashSize !== "detect" && !(flashSize in FLASH_SIZE_CODES)) {
    throw usage("flash size", flashSize, ["detect", ...Object.keys(FLASH_SIZE_CODES)]);
  }
}

/**
 * Patches the header of the bootloader image at the start of `bytes` (which may be a merged image:
 * bytes after the bootloader's digest are kept). `detectedSizeBytes` resolves `flashSize: "detect"`;
 * when it is unknown (0/undefined) the size is kept, as esptool does. Not an ESP image, or an invalid
 * one → returned unchanged (validation reports it separately).
 */
export function patchBootloader(bytes: Uint8Array, chip: ImageChip, settings: FlashSettings, detectedSizeBytes?: number): BootloaderPatch {
  checkFlashSettings(chip, settings);
  const unchanged: BootloaderPatch = { data: bytes, patched: false, shaUpdated: false };
  const { flashMode = "keep", flashFreq = "keep" } = settings;
  let { flashSize = "keep" } = settings;
  if (flashSize === "detect") flashSize = (detectedSizeBytes && flashSizeName(detectedSizeBytes)) || "keep";
  if (flashMode === "keep" && flashFreq === "keep" && flashSize === "keep") return unchanged;
  if (bytes[0] !== ESP_IMAGE_MAGIC) return unchanged;
  const image = parseEspImage(bytes);
  if (!image.valid) return unchanged;

  const old3 = bytes[3] as number;
  const mode = flashMode === "keep" ? (bytes[2] as number) : FLASH_MODE_CODES[flashMode as keyof typeof FLASH_MODE_CODES];
  const freq = flashFreq === "keep" ? old3 & 0x0f : (CHIP_FACTS[chip].flashFreqs[flashFreq] as number);
  const size = flashSize === "keep" ? old3 & 0xf0 : FLASH_SIZE_CODES[flashSize as keyof typeof FLASH_SIZE_CODES];
  const byte3 = size | freq;
  if (mode === bytes[2] && byte3 === old3) return unchanged;

  const data = Uint8Array.from(bytes);
  data[2] = mode;
  data[3] = byte3;
  let shaUpdated = false;
  if (image.sha256 !== undefined) {
    const digest = createHash("sha256").update(data.subarray(0, image.dataLengthBytes)).digest();
    data.set(digest, image.dataLengthBytes);
    shaUpdated = true;
  }
  return { data, patched: true, shaUpdated };
}
