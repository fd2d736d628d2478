/**
 * What Ctrl-C says about a flash, from the engine's events: what is in flight (first press) and the
 * state of every region (second press) — through the digest probe, selective runs with an erase-only
 * run, a rewrite after a failed verification, a whole-chip erase, and several boards at once.
 */
import { describe, expect, it } from "vitest";
import type { RegionResult } from "../../../src/engine/index.js";
import type { FlashPlan, PlanRun, RegionPlan } from "../../../src/plan/index.js";
import { FlashTracker } from "../../../src/cli/render/flash-tracker.js";
import { quitNotice, stopNotice } from "../../../src/cli/render/interrupt-notices.js";

const NAMES = ["boot.bin at 0x00000000", "app.bin at 0x00010000", "data.bin at 0x00100000"];

/** A plan of regions with the given outcomes and runs (the fields the tracker reads; the rest zero). */
function planOf(regions: { addr: number; sizeBytes: number; outcome: RegionPlan["outcome"]; runs: PlanRun[] }[]): FlashPlan {
  const zero = { differingSectors: [], unknownSectors: [], predictedBytesToChip: 0, predictedTimeS: 0, probe: { queries: 0, readBytes: 0 } };
  return {
    regions: regions.map((r) => ({ ...zero, ...r })),
    totals: { skipped: 0, selective: 0, full: 0, writeBytes: 0, eraseBytes: 0, predictedBytesToChip: 0, predictedTimeS: 0, probeQueries: 0, probeReadBytes: 0 },
  };
}

/** A region's result with `outcome`, verified. */
function resultOf(outcome: RegionResult["outcome"]): RegionResult {
  return { addr: 0, sizeBytes: 0, sourcePath: "", kind: "", outcome, sectorsTotal: 0, sectorsWritten: 0, sectorsErasedOnly: 0, sectorsSkipped: 0, writtenBytes: 0, sentBytes: 0, expectedMd5: "", verifiedMd5: "00", durationMs: 0 };
}

const SELECTIVE = planOf([
  { addr: 0x0, sizeBytes: 0x5000, outcome: "skip", runs: [] },
  {
    addr: 0x10000,
    sizeBytes: 0x10000,
    outcome: "selective",
    runs: [
      { addr: 0x11000, sizeBytes: 0x2000, action: "write" },
      { addr: 0x14000, sizeBytes: 0x1000, action: "erase" },
      { addr: 0x18000, sizeBytes: 0x4000, action: "write" },
    ],
  },
  { addr: 0x100000, sizeBytes: 0x8000, outcome: "full", runs: [{ addr: 0x100000, sizeBytes: 0x8000, action: "write" }] },
]);

describe("FlashTracker", () => {
  it("while comparing digests: nothing written, the flash unchanged", () => {
    const tracker = new FlashTracker(NAMES);
    tracker.onEvent({ type: "hash", queries: 12, doneQueries: 4 });
    expect(tracker.inFlight()).toBe("comparing the flash with the images by digest (4 of 12 digests); nothing written yet");
    expect(tracker.flashState()).toEqual(["nothing was written: the flash is unchanged"]);
  });

  it("follows selective runs: the run and block in flight, the erase-only run, the regions around", () => {
    const tracker = new FlashTracker(NAMES);
    tracker.onEvent({ type: "plan", plan: SELECTIVE });
    tracker.onEvent({ type: "region-done", region: 0, result: resultOf("skip") });
    tracker.onEvent({ type: "write", region: 1, addr: 0x11000, doneBytes: 0, totalBytes: 0x6000 });
    expect(tracker.inFlight()).toBe("writing app.bin at 0x00010000: complete up to 0x00011000, the block at 0x00011000 in flight");
    tracker.onEvent({ type: "write", region: 1, addr: 0x11000, doneBytes: 0x2000, totalBytes: 0x6000 });
    tracker.onEvent({ type: "erase", region: 1, addr: 0x14000, sizeBytes: 0x1000 });
    expect(tracker.inFlight()).toBe("erasing 0x00014000..0x00015000 in app.bin at 0x00010000");
    // The next run starts with the bytes of the region written so far; its first block comes back.
    tracker.onEvent({ type: "write", region: 1, addr: 0x18000, doneBytes: 0x2000, totalBytes: 0x6000 });
    tracker.onEvent({ type: "write", region: 1, addr: 0x18000, doneBytes: 0x3000, totalBytes: 0x6000 });
    expect(tracker.inFlight()).toBe("writing app.bin at 0x00010000: complete up to 0x00019000, the block at 0x00019000 in flight");
    expect(tracker.flashState()).toEqual([
      "boot.bin at 0x00000000: complete (it already matched)",
      "app.bin at 0x00010000: partly written: new up to 0x00019000, after that parts may be erased or half-written",
      "data.bin at 0x00100000: not written yet (it holds what it held before)",
    ]);
    // Every block acknowledged: the digest is what is in flight.
    tracker.onEvent({ type: "write", region: 1, addr: 0x18000, doneBytes: 0x6000, totalBytes: 0x6000 });
    expect(tracker.inFlight()).toBe("writing app.bin at 0x00010000: complete up to 0x0001c000");
    tracker.onEvent({ type: "verify", region: 1, addr: 0x18000, sizeBytes: 0x4000, ok: false });
    expect(tracker.inFlight()).toBe("verifying app.bin at 0x00010000 by the chip's digest");
    // The rewrite of the run that failed starts again at its address.
    tracker.onEvent({ type: "write", region: 1, addr: 0x18000, doneBytes: 0x6000, totalBytes: 0x6000 });
    expect(tracker.inFlight()).toBe("writing app.bin at 0x00010000: complete up to 0x00018000, the block at 0x00018000 in flight");
    tracker.onEvent({ type: "region-done", region: 1, result: resultOf("selective") });
    tracker.onEvent({ type: "region-done", region: 2, result: resultOf("full") });
    expect(tracker.inFlight()).toBeUndefined();
    expect(tracker.flashState()).toBeUndefined();
  });

  it("through a whole-chip erase: every region not yet written is erased", () => {
    const tracker = new FlashTracker(NAMES.slice(1));
    const plan = planOf([
      { addr: 0x10000, sizeBytes: 0x4000, outcome: "full", runs: [{ addr: 0x10000, sizeBytes: 0x4000, action: "write" }] },
      { addr: 0x100000, sizeBytes: 0x4000, outcome: "full", runs: [{ addr: 0x100000, sizeBytes: 0x4000, action: "write" }] },
    ]);
    tracker.onEvent({ type: "plan", plan });
    tracker.onEvent({ type: "erase", region: -1, addr: 0, sizeBytes: 0x400000 });
    expect(tracker.inFlight()).toBe("erasing the whole chip");
    expect(tracker.flashState()?.[0]).toBe("the whole chip was being erased: any part of it may be erased");
    tracker.onEvent({ type: "write", region: 0, addr: 0x10000, doneBytes: 0, totalBytes: 0x4000 });
    expect(tracker.flashState()).toEqual([
      "app.bin at 0x00010000: partly written: new up to 0x00010000, after that parts may be erased or half-written",
      "data.bin at 0x00100000: not written yet (erased)",
    ]);
  });

  it("speaks for every board that is not finished, each line with its board", () => {
    const busy = new FlashTracker(NAMES.slice(1, 2));
    busy.onEvent({ type: "plan", plan: planOf([{ addr: 0x10000, sizeBytes: 0x4000, outcome: "full", runs: [{ addr: 0x10000, sizeBytes: 0x4000, action: "write" }] }]) });
    busy.onEvent({ type: "write", region: 0, addr: 0x10000, doneBytes: 0x1000, totalBytes: 0x4000 });
    const done = new FlashTracker(NAMES.slice(1, 2));
    done.onEvent({ type: "region-done", region: 0, result: resultOf("full") });
    const boards = [
      { prefix: "[a] ", reporter: busy },
      { prefix: "[b] ", reporter: done },
    ];
    expect(stopNotice(boards)).toBe("Stopping after what is in flight (Ctrl-C again quits at once):\n  [a] writing app.bin at 0x00010000: complete up to 0x00011000, the block at 0x00011000 in flight");
    expect(quitNotice(boards)).toBe(
      [
        "Quit at once (second Ctrl-C). State of the flash:",
        "  [a] app.bin at 0x00010000: partly written: new up to 0x00011000, after that parts may be erased or half-written",
        "To finish, run the same command again: espsync writes only what still differs.",
      ].join("\n"),
    );
    expect(stopNotice([boards[1]!])).toBeUndefined();
    expect(quitNotice([boards[1]!])).toBeUndefined();
  });
});
