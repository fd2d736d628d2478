/** The engine against the Device test double: minimal writes, verification, cache, switches. */
import { describe, expect, it } from "vitest";
import { flash } from "../../src/engine/index.js";
import { VerifyError } from "../../src/errors.js";
import { costModelForBaud } from "../../src/plan/index.js";
import { FakeDevice } from "./fake-device.js";
import { dataSet, eventLog, EXACT, flip, md5, MemoryCache, SECTOR, seededBytes } from "./helpers.js";

const FLASH_BYTES = 0x80000;
const EXACT_COST = costModelForBaud(460800, { sameFractionPrior: 1 });
const A = 0x20000; // region A: 16 sectors
const B = 0x40000; // region B: 5 sectors

function setup(): { chip: Uint8Array; a: Uint8Array; b: Uint8Array } {
  const chip = new Uint8Array(FLASH_BYTES).fill(0xff);
  const a = seededBytes(1, 16 * SECTOR);
  const b = seededBytes(2, 5 * SECTOR);
  return { chip, a, b };
}

describe("flash with the Device test double", () => {
  it("writes everything into blank flash, then nothing the second time (one digest per region with a warm cache)", async () => {
    const { chip, a, b } = setup();
    const images = dataSet([{ addr: A, bytes: a }, { addr: B, bytes: b }]);
    const cache = new MemoryCache();
    const dev = new FakeDevice(chip);
    const first = await flash({ device: dev, images, cache, cost: EXACT_COST });
    expect(first.ok).toBe(true);
    expect(Buffer.compare(chip.subarray(A, A + a.length), a)).toBe(0);
    expect(Buffer.compare(chip.subarray(B, B + b.length), b)).toBe(0);
    expect(dev.bytesProgrammed).toBe(21 * SECTOR);
    expect(first.regions.map((r) => r.verifiedMd5)).toEqual([md5(a), md5(b)]);
    expect(cache.entries.map((e) => [e.addr, e.regionMd5])).toEqual([[A, md5(a)], [B, md5(b)]]);

    const again = new FakeDevice(chip);
    const second = await flash({ device: again, images, cache, cost: EXACT_COST });
    expect(second.regions.map((r) => r.outcome)).toEqual(["skip", "skip"]);
    expect(again.bytesProgrammed).toBe(0);
    expect(again.erasedSectors).toEqual([]);
    expect(again.md5Asked).toEqual([{ addr: A, sizeBytes: a.length }, { addr: B, sizeBytes: b.length }]);
    expect(second.totals).toMatchObject({ writtenBytes: 0, sentBytes: 0, digestQueries: 2 });
    expect(second.regions.map((r) => r.verifiedMd5)).toEqual([md5(a), md5(b)]);
  });

  it("erases and writes exactly the differing sectors, erase-only where the target is blank, and verifies only the runs", async () => {
    const { chip, a } = setup();
    chip.set(a, A);
    const target = Uint8Array.from(a);
    flip(target, 3 * SECTOR + 17, 0x40); // sector 3 changes
    target.fill(0xff, 9 * SECTOR, 10 * SECTOR); // sector 9 becomes blank: erase only
    flip(target, 15 * SECTOR, 0x01); // sector 15 changes
    const dev = new FakeDevice(chip);
    const { events, onEvent } = eventLog();
    const result = await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), cost: EXACT_COST, planOptions: EXACT, onEvent });
    expect(dev.erasedSet()).toEqual([A + 3 * SECTOR, A + 9 * SECTOR, A + 15 * SECTOR]);
    expect(dev.bytesProgrammed).toBe(2 * SECTOR);
    expect(dev.calls.filter((c) => c.startsWith("eraseRegion"))).toEqual([`eraseRegion ${A + 9 * SECTOR}+${SECTOR}`]);
    expect(Buffer.compare(chip.subarray(A, A + target.length), target)).toBe(0);
    expect(result.regions[0]).toMatchObject({ outcome: "selective", sectorsWritten: 2, sectorsErasedOnly: 1, sectorsSkipped: 13, writtenBytes: 2 * SECTOR, verifiedMd5: md5(target) });
    // Verification digests the three runs; the 13 other sectors, proven equal by the probe, are not read again.
    const runs = [3, 9, 15].map((i) => ({ addr: A + i * SECTOR, sizeBytes: SECTOR }));
    expect(dev.md5Asked.slice(-3)).toEqual(runs);
    // The region's one whole digest is the probe's (a one-block region starts with it), not a second read.
    expect(dev.md5Asked.filter((r) => r.addr === A && r.sizeBytes === target.length)).toHaveLength(1);
    expect(dev.md5Asked[0]).toEqual({ addr: A, sizeBytes: target.length });
    expect(events.filter((e) => e.type === "verify")).toEqual(runs.map((r) => ({ type: "verify", region: 0, ...r, ok: true })));
    expect(events.map((e) => e.type)).toContain("plan");
    expect(events.at(-1)?.type).toBe("region-done");
    // Random sectors do not deflate smaller: sent raw (the double rejects a compressed payload that is not smaller).
    expect(dev.calls.filter((c) => c.startsWith("write"))).toEqual([`write ${A + 3 * SECTOR}+${SECTOR}`, `write ${A + 15 * SECTOR}+${SECTOR}`]);
  });

  it("sends raw bytes when deflate does not shrink them, compressed when it does", async () => {
    const { chip } = setup();
    const target = new Uint8Array(3 * SECTOR).fill(0xff); // sector 1 blank like the chip: not written
    target.set(seededBytes(9, SECTOR), 0); // random: incompressible
    target.fill(0x55, 2 * SECTOR); // compressible
    const dev = new FakeDevice(chip);
    const result = await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), cost: { ...EXACT_COST, runOverheadS: 10 }, planOptions: EXACT });
    expect(dev.calls.filter((c) => c.startsWith("write"))).toEqual([`write ${A}+${SECTOR}`, `write ${A + 2 * SECTOR}+${SECTOR} compressed`]);
    expect(result.regions[0]?.sentBytes).toBeLessThan(2 * SECTOR);
    expect(result.regions[0]?.sentBytes).toBeGreaterThanOrEqual(SECTOR);
  });

  it("rewrites a run whose verification fails once, and succeeds", async () => {
    const { chip, a } = setup();
    chip.set(a, A);
    const target = Uint8Array.from(a);
    flip(target, 5 * SECTOR + 100, 0x80);
    const dev = new FakeDevice(chip, { faults: { badCell: { addr: A + 5 * SECTOR + 7, times: 1 } } });
    const { events, onEvent } = eventLog();
    const result = await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), cost: EXACT_COST, planOptions: EXACT, onEvent });
    expect(Buffer.compare(chip.subarray(A, A + target.length), target)).toBe(0);
    expect(result.totals.rewrites).toBe(1);
    expect(dev.erasedSectors).toEqual([A + 5 * SECTOR, A + 5 * SECTOR]);
    // The run's digest fails → the run is rewritten → its digest matches (the rest was proven by the probe).
    const verifies = events.flatMap((e) => (e.type === "verify" ? [[e.addr, e.sizeBytes, e.ok]] : []));
    expect(verifies).toEqual([
      [A + 5 * SECTOR, SECTOR, false],
      [A + 5 * SECTOR, SECTOR, true],
    ]);
  });

  it("fails with VerifyError naming the run and both digests when the rewrite fails too", async () => {
    const { chip, a } = setup();
    chip.set(a, A);
    const target = Uint8Array.from(a);
    flip(target, 5 * SECTOR + 100, 0x80);
    flip(target, 12 * SECTOR, 0x80);
    const bad = A + 12 * SECTOR + 9;
    const dev = new FakeDevice(chip, { faults: { badCell: { addr: bad, times: 5 } } });
    const cache = new MemoryCache();
    const err = await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), cost: EXACT_COST, planOptions: EXACT, cache }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifyError);
    const v = err as VerifyError;
    const want = target.subarray(12 * SECTOR, 13 * SECTOR);
    const held = Uint8Array.from(want);
    held[9] = (held[9] as number) & ((want[9] as number) ^ 0x01);
    expect({ addr: v.addr, sizeBytes: v.sizeBytes, expected: v.expected, actual: v.actual }).toEqual({ addr: A + 12 * SECTOR, sizeBytes: SECTOR, expected: md5(want), actual: md5(held) });
    expect(v.message).toContain("0x0002c000");
    // Sector 12 written twice (first write + one rewrite), sector 5 once; nothing else.
    expect(dev.erasedSectors.sort()).toEqual([A + 5 * SECTOR, A + 12 * SECTOR, A + 12 * SECTOR].sort());
    // A region that failed verification is not cached.
    expect(cache.entries).toEqual([]);
  });

  it("a region mismatch no run explains (wrong probe answer) rewrites the region whole once", async () => {
    const { chip, a } = setup();
    chip.set(a, A);
    const target = Uint8Array.from(a);
    for (let i = 0; i < 16; i++) if (i !== 8) flip(target, i * SECTOR, 0x80);
    flip(chip, A + 8 * SECTOR + 4, 0x10); // differs on the chip too, but the probe will be told it is the same
    const dev = new FakeDevice(chip);
    // The probe is told sector 8 equals the target (a lying digest), so the two runs around it are
    // planned; they cover 15 of 16 sectors, so the region is verified whole, and that digest then
    // mismatches outside every run.
    const realMany = dev.md5Many.bind(dev);
    const sector8 = Buffer.from(md5(target.subarray(8 * SECTOR, 9 * SECTOR)), "hex");
    dev.md5Many = async (ranges) => (await realMany(ranges)).map((d, k) => (ranges[k]?.addr === A + 8 * SECTOR && ranges[k]?.sizeBytes === SECTOR ? sector8 : d));
    const result = await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), cost: EXACT_COST, planOptions: EXACT });
    expect(Buffer.compare(chip.subarray(A, A + target.length), target)).toBe(0);
    expect(result.totals.rewrites).toBe(1);
    // First the planned runs, then the whole region once.
    expect(dev.calls.filter((c) => c.startsWith("write")).map((c) => c.split(" ")[1])).toEqual([`${A}+${8 * SECTOR}`, `${A + 9 * SECTOR}+${7 * SECTOR}`, `${A}+${16 * SECTOR}`]);
  });
});
