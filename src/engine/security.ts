/**
 * What the chip's security state allows. Delta flashing compares the chip's MD5 of flash with the MD5
 * of the image; with flash encryption the chip digests ciphertext, and in Secure Download Mode the ROM
 * refuses SPI_FLASH_MD5 (PROTOCOL.md §2.7) — both make the comparison impossible.
 */
import { EspsyncError } from "../errors.js";
import type { Device } from "../protocol/device.js";

/** How the engine may work on this chip. */
export interface SecurityMode {
  /** The chip can compute digests of plaintext (probe, verify). */
  readonly digests: boolean;
  /**
   * Writes go compressed (FLASH_DEFL_*): only through the flasher stub. The ROM refuses them in
   * Secure Download Mode (PROTOCOL.md §2.7), and the ESP32 ROM programs whole 32 KiB inflate units
   * from the start of a compressed write whatever size was announced (seen on the real ROM), which
   * would change flash outside the images; esptool, too, compresses only for the stub.
   */
  readonly compressed: boolean;
  /** The chip accepts ERASE_REGION, a stub-only command; without it erase-only runs are written as 0xFF. */
  readonly eraseRegion: boolean;
}

/** The operation asking, for messages: `flash` with its switches, or `verify`. */
export interface SecurityIntent {
  readonly op: "flash" | "verify";
  readonly noDelta?: boolean;
  readonly eraseAll?: boolean;
}

/**
 * Throws `FLASH_ENCRYPTED` or `SECURE_DOWNLOAD_MODE` when the request cannot be done right on this
 * chip; otherwise says which commands are usable.
 */
export function checkSecurity(device: Device, intent: SecurityIntent): SecurityMode {
  const sec = device.chip.security;
  if (sec?.flashEncryption === true) {
    const what = intent.op === "verify" ? "cannot verify" : "cannot flash";
    throw new EspsyncError(
      "FLASH_ENCRYPTED",
      `${what} ${device.chip.chip}: flash encryption is enabled (FLASH_CRYPT_CNT ${sec.flashCryptCount}), so the chip's digests are of the encrypted flash and cannot be compared with the plaintext images; ` +
        "espsync does not write encrypted images either (a full write with --no-delta would store plaintext the bootloader then decrypts to garbage)",
      { hint: "Flash this chip with a tool that performs encrypted writes (esptool.py write_flash --encrypt); --no-delta does not help here." },
    );
  }
  if (sec?.secureDownloadMode === true) {
    const noDigests = "the ROM refuses SPI_FLASH_MD5 there, so espsync cannot ask which sectors differ or check what it wrote";
    if (intent.op === "verify") {
      throw new EspsyncError("SECURE_DOWNLOAD_MODE", `cannot verify ${device.chip.chip}: the chip is in Secure Download Mode; ${noDigests}`, {
        hint: "Verification by digest is impossible in Secure Download Mode; read-back is refused too.",
      });
    }
    if (intent.eraseAll === true) {
      throw new EspsyncError("SECURE_DOWNLOAD_MODE", `cannot erase the whole flash of ${device.chip.chip}: the chip is in Secure Download Mode, which allows no flasher stub and no erase command`, {
        hint: "Drop --erase-all; --no-delta writes every region whole (each write erases what it covers).",
      });
    }
    if (intent.noDelta !== true) {
      throw new EspsyncError("SECURE_DOWNLOAD_MODE", `cannot delta-flash ${device.chip.chip}: the chip is in Secure Download Mode; ${noDigests}`, {
        hint: "Use --no-delta to write every region whole (it cannot be verified by digest in this mode).",
      });
    }
    return { digests: false, compressed: false, eraseRegion: false };
  }
  return { digests: true, compressed: device.chip.stub, eraseRegion: device.chip.stub };
}
