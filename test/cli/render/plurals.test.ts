/**
 * Counted nouns agree with their count in what espsync prints: "1 digest", "1 of 1 sector", "1
 * region differs" — never "1 digests". Expected lines are written out in full.
 */
import { describe, expect, it } from "vitest";
import type { FlashResult, RegionResult } from "../../../src/engine/index.js";
import { FlashTracker } from "../../../src/cli/render/flash-tracker.js";
import { regionLine, regionOutcomeText, totalsLine } from "../../../src/cli/render/flash-report.js";
import { plural } from "../../../src/util/plural.js";
import { runCli } from "../helpers.js";
import { cliEnv, errorLines, tempDir } from "../sim-rig.js";

function totals(t: Partial<FlashResult["totals"]>): FlashResult {
  const all = { writtenBytes: 0, sentBytes: 0, digestQueries: 0, durationMs: 420, erasedBytes: 0, rewrites: 0, ...t };
  return { totals: all } as FlashResult;
}

const REGION: RegionResult = {
  addr: 0x10000, sizeBytes: 0x1000, sourcePath: "app.bin", kind: "app", outcome: "selective", sectorsTotal: 1, sectorsWritten: 1, sectorsErasedOnly: 0,
  sectorsSkipped: 0, writtenBytes: 0x1000, sentBytes: 0x1000, expectedMd5: "00", durationMs: 1000,
};

describe("counted nouns", () => {
  it("plural() keeps the singular for exactly one", () => {
    expect([plural(0, "digest"), plural(1, "digest"), plural(2, "digest"), plural(1, "candidate port")]).toEqual(["0 digests", "1 digest", "2 digests", "1 candidate port"]);
  });

  it("flash totals: 1 digest, 1 run rewritten", () => {
    expect(totalsLine(totals({ digestQueries: 1 }))).toBe("Nothing to write: the flash already holds the images (1 digest, 0.42 s)");
    expect(totalsLine(totals({ digestQueries: 1, writtenBytes: 4096, sentBytes: 4096, durationMs: 1000, rewrites: 1 }))).toBe(
      "Wrote 4.0 KiB in 1.00 s (4.0 KiB/s), 1 digest, 1 run rewritten after a failed verify",
    );
    expect(totalsLine(totals({ digestQueries: 2 }))).toBe("Nothing to write: the flash already holds the images (2 digests, 0.42 s)");
  });

  it("a region of one sector: 1 of 1 sector", () => {
    expect(regionOutcomeText(REGION)).toBe("1 of 1 sector written");
    expect(regionLine({ ...REGION, outcome: "skip", sectorsWritten: 0 }, "app.bin at 0x00010000")).toBe("app.bin at 0x00010000: skipped (1 sector unchanged)");
  });

  it("while comparing: 0 of 1 digest", () => {
    const tracker = new FlashTracker(["app.bin at 0x00010000"]);
    tracker.onEvent({ type: "hash", queries: 1, doneQueries: 0 });
    expect(tracker.inFlight()).toBe("comparing the flash with the images by digest (0 of 1 digest); nothing written yet");
  });

  it("erase-region of one sector and an odd ADDR FILE list of one value", async () => {
    const dir = tempDir();
    const erase = await runCli(["erase-region", "-p", "sim:esp32c3?seed=3", "0x10000", "0x1000"], { env: cliEnv(dir) });
    expect(erase.code).toBe(0);
    expect(erase.stdout).toMatch(/^Erased 4\.0 KiB at 0x00010000\.\.0x00011000 \(1 sector\) in /m);
    const odd = await runCli(["flash", "-p", "sim:esp32c3?seed=3", "0x10000"], { env: cliEnv(dir) });
    expect(errorLines(odd.stderr).first).toBe("error[USAGE]: ADDR FILE pairs are incomplete: 1 value given, the last one (0x10000) has no partner");
  });
});
