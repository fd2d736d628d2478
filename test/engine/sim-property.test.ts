/**
 * The flash property through the real Device and the virtual chip: random chip contents and targets;
 * afterwards the chip equals the target inside the regions and is unchanged outside, and (planner
 * switches off) the sectors erased are exactly the differing ones and nothing else was programmed.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { flash } from "../../src/engine/index.js";
import { costModelForBaud } from "../../src/plan/index.js";
import { dataSet, EXACT, SECTOR } from "./helpers.js";
import { build, checkEndState, differingSectors, scenario } from "./scenario.js";
import { closeAll, connectSim, erasedSectors } from "./sim-helpers.js";

afterEach(closeAll);

type Rig = Awaited<ReturnType<typeof connectSim>>;

/** Flashes random scenarios through `writeLoader`; checks the end state, then `minimality`. */
async function holds(writeLoader: "stub" | "rom", minimality: (rig: Rig, differs: number[], targets: ReturnType<typeof build>["targets"]) => void): Promise<void> {
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const rig = await connectSim();
      const flashBytes = rig.chip.flash.bytes;
      const { files, targets } = build(s, flashBytes);
      const before = Uint8Array.from(flashBytes);
      await flash({ device: rig.device, images: dataSet(files), cost: costModelForBaud(921600, { sameFractionPrior: 1 }), planOptions: EXACT, writeLoader });
      checkEndState(flashBytes, before, targets);
      const differs = differingSectors(before, targets);
      expect(erasedSectors(rig.chip)).toEqual(differs);
      minimality(rig, differs, targets);
      await closeAll();
    }),
    { numRuns: 12 },
  );
}

describe("flash property (virtual chip)", () => {
  it("through the stub: end state is the target; erased sectors are exactly the differing ones; programmed bytes are the non-blank ones", async () => {
    await holds("stub", (rig, differs, targets) => {
      const blankTarget = (a: number): boolean =>
        targets.some((t) => a >= t.addr && a < t.addr + t.data.length && t.data.subarray(a - t.addr, a - t.addr + SECTOR).every((b) => b === 0xff));
      expect(rig.chip.flash.counters.bytesProgrammed).toBe(differs.filter((a) => !blankTarget(a)).length * SECTOR);
    });
  });

  it("through the ROM: the same end state, exactly the differing sectors erased and programmed (blank ones with 0xFF), no stub uploaded", async () => {
    await holds("rom", (rig, differs) => {
      // The ROM has no ERASE_REGION: a blank target sector is programmed with 0xFF like any other.
      expect(rig.chip.flash.counters.bytesProgrammed).toBe(differs.length * SECTOR);
      expect(rig.chip.flash.counters.commands.MEM_BEGIN ?? 0).toBe(0);
      expect(rig.chip.mode).toBe("rom");
    });
  });
});
