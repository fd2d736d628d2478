/** Parsing of flash addresses given on the command line or in flasher_args.json. */
import { EspsyncError } from "../errors.js";

/** The largest address the protocol can carry (a 32-bit word). */
const MAX_ADDRESS = 0xffffffff;

/**
 * Parses an esptool-style address: `0x1000`, `0X1000` or decimal `4096`. Throws `ADDRESS_INVALID`
 * naming `context` (usually the file the address belongs to).
 */
export function parseAddress(text: string, context: string): number {
  const t = text.trim();
  let value = Number.NaN;
  if (/^0x[0-9a-f]+$/i.test(t)) value = Number.parseInt(t.slice(2), 16);
  else if (/^\d+$/.test(t)) value = Number.parseInt(t, 10);
  if (Number.isNaN(value)) {
    throw new EspsyncError("ADDRESS_INVALID", `address "${text}" for ${context} is not a number`, {
      hint: "Give flash addresses as hex (0x10000) or decimal (65536).",
    });
  }
  if (!Number.isSafeInteger(value) || value > MAX_ADDRESS) {
    throw new EspsyncError("ADDRESS_INVALID", `address "${text}" for ${context} is too large: flash addresses end at 0xffffffff`, {
      hint: "ESP32-family flash is at most 32 MiB (0x2000000); check the number of digits.",
    });
  }
  return value;
}
