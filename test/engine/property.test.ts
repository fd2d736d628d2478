/**
 * Property: for random chip contents and random targets, after `flash()` the chip equals the target
 * inside the regions and is unchanged outside them; the sectors erased are exactly the differing ones
 * with the planner's merge/widen/full-fallback off, a superset with the defaults.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flash } from "../../src/engine/index.js";
import { costModelForBaud } from "../../src/plan/index.js";
import { FakeDevice } from "./fake-device.js";
import { dataSet, EXACT, SECTOR } from "./helpers.js";
import { build, checkEndState, differingSectors, scenario } from "./scenario.js";

describe("flash property (Device test double)", () => {
  it("exact mode: end state is the target, erased sectors are exactly the differing ones", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { chip, files, targets } = build(s);
        const before = Uint8Array.from(chip);
        const dev = new FakeDevice(chip);
        await flash({ device: dev, images: dataSet(files), cost: costModelForBaud(460800, { sameFractionPrior: 1 }), planOptions: EXACT });
        checkEndState(chip, before, targets);
        const differs = differingSectors(before, targets);
        expect(dev.erasedSet()).toEqual(differs);
        // Programmed: exactly the differing sectors whose target is not blank.
        const programmed = differs.filter((a) => !targets.some((t) => a >= t.addr && a < t.addr + t.data.length && t.data.subarray(a - t.addr, a - t.addr + SECTOR).every((b) => b === 0xff)));
        expect(dev.bytesProgrammed).toBe(programmed.length * SECTOR);
        // Each sector erased once: nothing was rewritten.
        expect(dev.erasedSectors.length).toBe(differs.length);
      }),
      { numRuns: 60 },
    );
  });

  it("default planner: end state is the target, erased sectors cover the differing ones and stay inside the regions", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { chip, files, targets } = build(s);
        const before = Uint8Array.from(chip);
        const dev = new FakeDevice(chip);
        await flash({ device: dev, images: dataSet(files) });
        checkEndState(chip, before, targets);
        const erased = new Set(dev.erasedSet());
        for (const a of differingSectors(before, targets)) expect(erased.has(a)).toBe(true);
        for (const a of erased) expect(targets.some((t) => a >= t.addr && a < t.addr + t.data.length)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
