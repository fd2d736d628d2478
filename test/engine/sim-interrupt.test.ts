/**
 * Interrupted flashes on the virtual chip — Ctrl-C (AbortSignal) and a dropped link mid-write — are
 * finished by running the same flash again, which writes only what was left.
 */
import { afterEach, describe, expect, it } from "vitest";
import { flash } from "../../src/engine/index.js";
import { EspsyncError } from "../../src/errors.js";
import { costModelForBaud } from "../../src/plan/index.js";
import { dataSet, EXACT, SECTOR, seededBytes } from "./helpers.js";
import { closeAll, connectSim, erasedSectors, sectorDiff } from "./sim-helpers.js";

afterEach(closeAll);

const COST = costModelForBaud(921600, { sameFractionPrior: 1 });
const A = 0x40000;
const SIZE = 64 * SECTOR; // 256 KiB

/** Half-compressible content: every sector a different random quarter plus a fill. */
function image(seed: number): Uint8Array {
  const out = new Uint8Array(SIZE).fill(0x5a);
  for (let s = 0; s < 64; s++) out.set(seededBytes(seed * 100 + s, 1024), s * SECTOR);
  return out;
}

describe("interrupted flash on the virtual chip", () => {
  it("Ctrl-C stops at a block boundary with INTERRUPTED; the same flash again writes only the rest", async () => {
    const target = image(1);
    const set = dataSet([{ addr: A, bytes: target }]);
    const rig = await connectSim();
    const abort = new AbortController();
    const err = await flash({
      device: rig.device,
      images: set,
      cost: COST,
      planOptions: EXACT,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === "write" && e.doneBytes >= SIZE / 4) abort.abort();
      },
    }).catch((e: unknown) => e);
    expect((err as EspsyncError).code).toBe("INTERRUPTED");
    expect((err as EspsyncError).message).toMatch(/Running the same command again finishes the job/);
    const firstProgrammed = rig.chip.flash.counters.bytesProgrammed;
    expect(firstProgrammed).toBeGreaterThan(0);
    expect(firstProgrammed).toBeLessThan(SIZE);

    const again = await connectSim(undefined, rig.chip);
    await flash({ device: again.device, images: set, cost: COST, planOptions: EXACT });
    expect(Buffer.compare(again.chip.flash.bytes.subarray(A, A + SIZE), target)).toBe(0);
    // Exactly the sectors the first run did not finish (compressed blocks end anywhere: the sector
    // holding the stop point was only partly programmed).
    const done = Math.floor(firstProgrammed / SECTOR);
    expect(erasedSectors(again.chip)).toEqual(Array.from({ length: 64 - done }, (_, i) => A + (done + i) * SECTOR));
    expect(again.chip.flash.counters.bytesProgrammed).toBe(SIZE - done * SECTOR);
  });

  it("a link dropped mid-write fails the flash at once; the same flash again writes only what is left", async () => {
    const old = image(2);
    const target = image(3);
    const set = dataSet([{ addr: A, bytes: target }]);
    // The Device notices a closed port at once (it does not wait for the block's acknowledgement):
    // with minute-long reply timeouts, failing within this test's limit proves it.
    const rig = await connectSim(undefined, undefined, { timeouts: { minMs: 60_000, defaultMs: 60_000 } });
    rig.chip.flash.bytes.set(old, A);
    rig.chip.faults.add({ kind: "disconnect", op: 0x11, nth: 3 }); // the 3rd FLASH_DEFL_DATA never arrives
    const err = await flash({ device: rig.device, images: set, cost: COST, planOptions: EXACT }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EspsyncError);
    expect((err as EspsyncError).code).toBe("PORT_CLOSED");
    const firstProgrammed = rig.chip.flash.counters.bytesProgrammed;
    expect(firstProgrammed).toBeGreaterThan(0);
    expect(firstProgrammed).toBeLessThan(SIZE);
    // Every sector differs from the old content and the write goes in address order: the sectors
    // before the stop point hold the target, the rest (the partly programmed one included) do not.
    const done = Math.floor(firstProgrammed / SECTOR);
    const left = Array.from({ length: 64 - done }, (_, i) => A + (done + i) * SECTOR);
    expect(sectorDiff(A, rig.chip.flash.bytes.subarray(A, A + SIZE), target)).toEqual(left);

    const again = await connectSim(undefined, rig.chip);
    await flash({ device: again.device, images: set, cost: COST, planOptions: EXACT });
    expect(Buffer.compare(again.chip.flash.bytes.subarray(A, A + SIZE), target)).toBe(0);
    // Exactly the sectors still different were erased and programmed; nothing outside the region.
    expect(erasedSectors(again.chip)).toEqual(left);
    expect(again.chip.flash.counters.bytesProgrammed).toBe(left.length * SECTOR);
  }, 8000);
});
