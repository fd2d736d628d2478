/**
 * Addresses and sizes given on the command line: `0x10000`, `65536`, and for sizes also `64K`,
 * `4M` (binary units, as flash is). Checked before any port is opened.
 */
import { EspsyncError, hex32 } from "../errors.js";
import { parseAddress } from "../image/index.js";

/** Parses a flash address; throws ADDRESS_INVALID naming `what`. */
export function parseFlashAddress(text: unknown, what: string): number {
  return parseAddress(String(text), what);
}

/** Parses a byte count (`0x1000`, `4096`, `4K`, `4KB`, `1M`); throws USAGE unless it is a positive whole number. */
export function parseSize(text: unknown, what: string): number {
  const t = String(text).trim();
  const m = /^(0x[0-9a-f]+|\d+)\s*(k|kb|kib|m|mb|mib)?$/i.exec(t);
  const unit = m?.[2]?.toLowerCase().charAt(0);
  const base = m ? (m[1]?.toLowerCase().startsWith("0x") ? Number.parseInt(m[1].slice(2), 16) : Number(m[1])) : Number.NaN;
  const value = base * (unit === "k" ? 1024 : unit === "m" ? 1024 * 1024 : 1);
  if (!Number.isSafeInteger(value) || value <= 0 || value > 0x100000000) {
    throw new EspsyncError("USAGE", `${what} ${JSON.stringify(t)} is not a positive size in bytes`, { hint: "Give sizes as hex (0x1000), decimal (4096) or with a unit (4K, 1M)" });
  }
  return value;
}

/** Throws LAYOUT_OUT_OF_RANGE when the range ends past the chip's flash (known after connecting). */
export function requireInFlash(addr: number, sizeBytes: number, flashSizeBytes: number, what: string): void {
  if (flashSizeBytes > 0 && addr + sizeBytes > flashSizeBytes) {
    throw new EspsyncError("LAYOUT_OUT_OF_RANGE", `${what}: ${hex32(addr)}..${hex32(addr + sizeBytes)} ends past the end of the ${flashSizeBytes / 1048576} MiB flash`, {
      hint: "Check the address and size against the flash size (espsync info)",
    });
  }
}
