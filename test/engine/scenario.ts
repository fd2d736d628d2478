/**
 * Random flash scenarios for the property tests: chip contents, and regions whose sectors are equal,
 * changed, blank on either side or random — with the expectations computed here, not by the engine.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { flip, SECTOR, seededBytes } from "./helpers.js";

/** Flash size of the scenarios. */
export const FLASH_BYTES = 0x100000;
/** Region slots of 128 KiB from 0x20000: away from the bootloader, partition table and app offsets. */
const SLOT_BYTES = 0x20000;

/** How one sector of the chip relates to the target. */
const sectorKind = fc.constantFrom("same", "same", "same", "blank-both", "target-blank", "chip-blank", "flip", "random");

/** A random scenario. */
export const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  regions: fc.uniqueArray(
    fc.record({ slot: fc.integer({ min: 1, max: 6 }), startSector: fc.integer({ min: 0, max: 8 }), sectors: fc.array(sectorKind, { minLength: 1, maxLength: 24 }), trimBytes: fc.integer({ min: 0, max: 4095 }) }),
    { minLength: 1, maxLength: 3, selector: (r) => r.slot },
  ),
});

/** A generated scenario. */
export type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** A scenario made concrete. */
export interface Built {
  chip: Uint8Array;
  files: { addr: number; bytes: Uint8Array }[];
  /** Padded target per region. */
  targets: { addr: number; data: Uint8Array }[];
}

/** Builds chip contents (into `chip` when given), files and padded targets. */
export function build(s: Scenario, into?: Uint8Array): Built {
  const chip = into ?? new Uint8Array(FLASH_BYTES);
  chip.set(seededBytes(s.seed, FLASH_BYTES));
  // Some blank stretches on the chip, as real flash has.
  for (let a = 0; a < FLASH_BYTES; a += 7 * SECTOR) chip.fill(0xff, a, a + SECTOR);
  const files: Built["files"] = [];
  const targets: Built["targets"] = [];
  s.regions.forEach((r, k) => {
    const addr = r.slot * SLOT_BYTES + r.startSector * SECTOR;
    const data = new Uint8Array(r.sectors.length * SECTOR);
    r.sectors.forEach((kind, i) => {
      const at = addr + i * SECTOR;
      const onChip = chip.subarray(at, at + SECTOR);
      const t = data.subarray(i * SECTOR, (i + 1) * SECTOR);
      if (kind === "same") t.set(onChip);
      else if (kind === "blank-both") {
        onChip.fill(0xff);
        t.fill(0xff);
      } else if (kind === "target-blank") t.fill(0xff);
      else if (kind === "chip-blank") {
        onChip.fill(0xff);
        t.set(seededBytes(s.seed + k * 1000 + i, SECTOR));
      } else if (kind === "flip") {
        t.set(onChip);
        flip(t, (s.seed + i) % SECTOR, 0x20);
      } else t.set(seededBytes(s.seed + 7 + k * 1000 + i, SECTOR));
    });
    // The file may end inside its last sector: the rest of that sector must become 0xFF.
    const fileBytes = data.subarray(0, Math.max(1, data.length - r.trimBytes));
    const padded = Uint8Array.from(data);
    padded.fill(0xff, fileBytes.length);
    files.push({ addr, bytes: fileBytes });
    targets.push({ addr, data: padded });
  });
  return { chip, files, targets };
}

/** Sector addresses where the chip before differs from the targets. */
export function differingSectors(before: Uint8Array, targets: Built["targets"]): number[] {
  const out: number[] = [];
  for (const t of targets) {
    for (let o = 0; o < t.data.length; o += SECTOR) {
      if (Buffer.compare(before.subarray(t.addr + o, t.addr + o + SECTOR), t.data.subarray(o, o + SECTOR)) !== 0) out.push(t.addr + o);
    }
  }
  return out.sort((a, b) => a - b);
}

/** Asserts the chip equals the targets inside the regions and `before` elsewhere. */
export function checkEndState(chip: Uint8Array, before: Uint8Array, targets: Built["targets"]): void {
  const expected = Uint8Array.from(before);
  for (const t of targets) expected.set(t.data, t.addr);
  expect(Buffer.compare(chip, expected)).toBe(0);
}

