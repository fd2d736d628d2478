/**
 * Real firmware updates on the virtual chip: the sectors written are exactly the sectors in which the
 * two builds differ (computed here from the files), regions that did not change are skipped.
 * Needs the shared firmware beside the repository; skipped (with the reason) without it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { flash } from "../../src/engine/index.js";
import { readImageSet } from "../../src/image/index.js";
import { costModelForBaud } from "../../src/plan/index.js";
import { EXACT, MemoryCache } from "./helpers.js";
import { closeAll, connectSim, erasedSectors, FIRMWARE_DIR, flashCommands, HAS_FIRMWARE, NO_FIRMWARE, padded, sectorDiff } from "./sim-helpers.js";

afterEach(closeAll);

const COST = costModelForBaud(921600, { sameFractionPrior: 1 });
const mp = (build: string): string => path.join(FIRMWARE_DIR, "micropython-esp32", `build-${build}.bin`);
const hello = (version: string, file: string): string => path.join(FIRMWARE_DIR, `idf-hello-${version}`, "esp32", file);
const HELLO_FILES = [
  [0x1000, "bootloader.bin"],
  [0x8000, "partition-table.bin"],
  [0x10000, "hello_world.bin"],
] as const;
const helloPairs = (version: string): [string, string][] => HELLO_FILES.map(([addr, f]) => [`0x${addr.toString(16)}`, hello(version, f)]);

describe.skipIf(!HAS_FIRMWARE)(`real firmware updates (skipped when ${NO_FIRMWARE})`, () => {
  it("micropython-esp32 3d9f6a6 → 0484727 at 0x1000 writes exactly the 5 differing sectors", async () => {
    const oldBytes = padded(readFileSync(mp("3d9f6a6")));
    const newBytes = padded(readFileSync(mp("0484727")));
    const differing = sectorDiff(0x1000, oldBytes, newBytes);
    expect(differing.length).toBe(5); // the measured fact the shared firmware README states

    const first = await connectSim();
    await flash({ device: first.device, images: await readImageSet({ pairs: [["0x1000", mp("3d9f6a6")]] }) });
    expect(Buffer.compare(first.chip.flash.bytes.subarray(0x1000, 0x1000 + oldBytes.length), oldBytes)).toBe(0);

    const second = await connectSim(undefined, first.chip);
    const result = await flash({ device: second.device, images: await readImageSet({ pairs: [["0x1000", mp("0484727")]] }), cost: COST, planOptions: EXACT });
    const c = second.chip.flash.counters;
    expect(Buffer.compare(second.chip.flash.bytes.subarray(0x1000, 0x1000 + newBytes.length), newBytes)).toBe(0);
    expect(erasedSectors(second.chip)).toEqual(differing);
    expect(c.bytesProgrammed).toBe(5 * 0x1000);
    expect(result.regions[0]).toMatchObject({ outcome: "selective", sectorsWritten: 5, sectorsTotal: newBytes.length / 0x1000 });
    // Five runs of one sector each: five begin/end pairs, and far less than the image on the wire.
    expect(flashCommands(second.chip).FLASH_DEFL_BEGIN).toBe(5);
    expect(c.bytesFromHost).toBeLessThan(5 * 0x1000 + 8 * 1024);
  });

  it("micropython with the default planner and a warm cache: one whole-image digest decides the sectors", async () => {
    const oldBytes = padded(readFileSync(mp("3d9f6a6")));
    const newBytes = padded(readFileSync(mp("0484727")));
    const differing = sectorDiff(0x1000, oldBytes, newBytes);
    const cache = new MemoryCache();
    const first = await connectSim();
    await flash({ device: first.device, images: await readImageSet({ pairs: [["0x1000", mp("3d9f6a6")]] }), cache });
    const second = await connectSim(undefined, first.chip);
    await flash({ device: second.device, images: await readImageSet({ pairs: [["0x1000", mp("0484727")]] }), cache });
    const erased = erasedSectors(second.chip);
    for (const a of differing) expect(erased).toContain(a);
    expect(erased.every((a) => a >= 0x1000 && a < 0x1000 + newBytes.length)).toBe(true);
    // Probe: the whole image once (the cache supplies the sectors); verify: one digest per written run
    // — the five differing sectors lie apart (five runs, see above) — and the image is not read again.
    expect(second.chip.flash.counters.commands.SPI_FLASH_MD5).toBe(1 + differing.length);
    expect(Buffer.compare(second.chip.flash.bytes.subarray(0x1000, 0x1000 + newBytes.length), newBytes)).toBe(0);
  });

  it("idf-hello esp32 v5.1 → v5.2: writes the differing app sectors, skips the regions that match", async () => {
    const files = (v: string) => HELLO_FILES.map(([addr, f]) => ({ addr, bytes: padded(readFileSync(hello(v, f))) }));
    const before = files("v5.1");
    const after = files("v5.2");
    const first = await connectSim();
    await flash({ device: first.device, images: await readImageSet({ pairs: helloPairs("v5.1") }) });

    const second = await connectSim(undefined, first.chip);
    const result = await flash({ device: second.device, images: await readImageSet({ pairs: helloPairs("v5.2") }), cost: COST, planOptions: EXACT });
    const expectedErased: number[] = [];
    const outcomes = after.map((r, i) => {
      const diff = sectorDiff(r.addr, (before[i] as { bytes: Uint8Array }).bytes, r.bytes);
      expectedErased.push(...diff);
      return diff.length === 0 ? "skip" : "selective-or-full";
    });
    expect(result.regions.map((r) => (r.outcome === "skip" ? "skip" : "selective-or-full"))).toEqual(outcomes);
    expect(expectedErased.length).toBeGreaterThan(0); // the builds differ: the check below is not vacuous
    expect(erasedSectors(second.chip)).toEqual(expectedErased.sort((a, b) => a - b));
    for (const r of after) expect(Buffer.compare(second.chip.flash.bytes.subarray(r.addr, r.addr + r.bytes.length), r.bytes)).toBe(0);
    // In this pair the partition table is unchanged and must cost no write at all.
    expect(result.regions[1]).toMatchObject({ outcome: "skip", writtenBytes: 0 });
  });
});
