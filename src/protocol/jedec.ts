/**
 * Flash size from the JEDEC id that RDID (0x9F) returns (PROTOCOL.md §3.4): the id is
 * `mfr | type << 8 | capacity << 16`, and both hosts map the capacity byte with this table.
 */

/** Capacity byte → size in bytes, PROTOCOL.md §3.4. */
export const JEDEC_CAPACITY_BYTES = {
  0x12: 256 * 1024,
  0x13: 512 * 1024,
  0x14: 1 << 20,
  0x15: 2 << 20,
  0x16: 4 << 20,
  0x17: 8 << 20,
  0x18: 16 << 20,
  0x19: 32 << 20,
  0x1a: 64 << 20,
  0x1b: 128 << 20,
  0x1c: 256 << 20,
  0x20: 64 << 20,
  0x21: 128 << 20,
  0x22: 256 << 20,
  0x32: 256 * 1024,
  0x33: 512 * 1024,
  0x34: 1 << 20,
  0x35: 2 << 20,
  0x36: 4 << 20,
  0x37: 8 << 20,
  0x38: 16 << 20,
  0x39: 32 << 20,
  0x3a: 64 << 20,
} as const satisfies Record<number, number>;

/** Flash size for a JEDEC id, 0 when the capacity byte is unknown (or the id is 0 / 0xFFFFFF). */
export function flashSizeFromJedecId(jedecId: number): number {
  const capacity = (jedecId >>> 16) & 0xff;
  return (JEDEC_CAPACITY_BYTES as Record<number, number>)[capacity] ?? 0;
}
