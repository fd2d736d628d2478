/**
 * The one check that an address or a size is whole 4 KiB sectors, with one wording and one code
 * (ADDRESS_UNALIGNED) for every place that asks it: flash and verify images, erase-region, merge's
 * --target-offset, and the protocol layer's write and erase.
 */
import { EspsyncError, hex32 } from "../errors.js";
import { SECTOR_SIZE_BYTES, alignDown, alignUp, isAligned } from "./sectors.js";

/**
 * Throws ADDRESS_UNALIGNED unless `value` is a multiple of 4 KiB. `what` names the value and where it
 * comes from (`app.bin: address`, `espsync erase-region: size`, `--target-offset`); the hint offers
 * the sector boundary below an address, above a size (the range must cover what was asked).
 */
export function requireSectorAligned(value: number, what: string, kind: "address" | "size" = "address"): void {
  if (isAligned(value, SECTOR_SIZE_BYTES)) return;
  const suggestion = kind === "address" ? alignDown(value, SECTOR_SIZE_BYTES) : alignUp(value, SECTOR_SIZE_BYTES);
  throw new EspsyncError("ADDRESS_UNALIGNED", `${what} ${hex32(value)} is not a multiple of 4 KiB (0x1000)`, {
    hint: `Flash is erased in 4 KiB sectors; use ${kind === "address" ? "an address" : "a size"} such as ${hex32(suggestion)}.`,
  });
}
