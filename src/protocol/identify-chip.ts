/**
 * Chip identification without SYNC, for `--before no_reset_no_sync` (esptool-js's own
 * `connect` always syncs and keeps its identification private). Same order as esptool-js
 * (§3.1 step 5): the chip id from GET_SECURITY_INFO, else the magic word at 0x40001000 (§3.5).
 */
import type { ESPLoader, ROM } from "esptool-js";
import { CHIP_DEFS } from "esptool-js/lib/targets/index.js";
import { EspsyncError, hex32 } from "../errors.js";

/** Magic values at 0x40001000 → esptool-js chip key, PROTOCOL.md §3.5. */
export const CHIP_MAGIC = {
  0x00f01d83: "esp32",
  0x000007c6: "esp32s2",
  0x00000009: "esp32s3",
  0x6921506f: "esp32c3",
  0x1b31506f: "esp32c3",
  0x4881606f: "esp32c3",
  0x4361606f: "esp32c3",
  0x0c21e06f: "esp32c2",
  0x6f51306f: "esp32c2",
  0x7c41a06f: "esp32c2",
  0x2ce0806f: "esp32c6",
  0xd7b73e80: "esp32h2",
  0x97e30068: "esp32h2",
  0x1101406f: "esp32c5",
  0x63e1406f: "esp32c5",
  0x5fd1406f: "esp32c5",
  0x30e1706f: "esp32c5",
  0x0addbad0: "esp32p4",
  0x07039ad9: "esp32p4",
  0x33f0206f: "esp32c61",
  0x2421606f: "esp32c61",
} as const satisfies Record<number, keyof typeof CHIP_DEFS>;

/** Address of the chip magic word. */
export const CHIP_MAGIC_REG = 0x40001000;

/** Identifies the chip behind an already synced (or already running) loader. */
export async function identifyChip(loader: ESPLoader): Promise<ROM> {
  try {
    const chipId = await loader.getChipId();
    const rom = Object.values(CHIP_DEFS).find((c) => !c.USES_MAGIC_VALUE && c.IMAGE_CHIP_ID === chipId);
    if (rom) return rom;
  } catch {
    // No GET_SECURITY_INFO (ESP32) or no chip id in it (S2): fall back to the magic word.
  }
  const magic = (await loader.readReg(CHIP_MAGIC_REG)) >>> 0;
  const key = (CHIP_MAGIC as Record<number, keyof typeof CHIP_DEFS>)[magic];
  if (!key) {
    throw new EspsyncError("CHIP_UNKNOWN", `unknown chip magic ${hex32(magic)} at ${hex32(CHIP_MAGIC_REG)}`, {
      hint: "This ESP chip is not supported by espsync; check for a newer version.",
    });
  }
  return CHIP_DEFS[key];
}
