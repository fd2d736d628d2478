/**
 * Ctrl-C while connecting, before the chip answers: a virtual chip running its app, reached with
 * --before no-reset, never answers a sync, so espsync would try all 7 attempts (about 4 s). The
 * first SIGINT says at once that it is stopping and names the port and the attempt, and the connect
 * stops after that attempt (exit 130); the second says the flash is unchanged and that nothing
 * needs finishing (exit 130). Any board command connects the same way; `info` stands for them.
 */
import { existsSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, interruptRun } from "./interrupt-run.js";
import { tempDir } from "./sim-rig.js";

const PORT = "sim:esp32c3?boot=app";
const ARGS = ["info", "-p", PORT, "--before", "no-reset", "--verbose"];
/** The verbose line connect logs as it opens the port: the attempts follow at once. */
const CONNECTING = /^Connecting to sim:esp32c3\?boot=app\.\.\.$/m;
const NOTICE = /^Stopping after what is in flight \(Ctrl-C again quits at once\):\n {2}connecting to sim:esp32c3\?boot=app \(attempt ([12]) of 7\)$/m;
let dir = "";

beforeAll(() => {
  dir = tempDir("espsync-ctrl-c-connect-");
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(BIN))("Ctrl-C while connecting (needs `npm run build`)", () => {
  it("the first names the port and the attempt, and the connect stops after that attempt", async () => {
    const started = Date.now();
    const run = await interruptRun(ARGS, { cwd: dir, at: CONNECTING, twice: false });
    expect(run.exit, run.stderr).toBe(130);
    const notice = NOTICE.exec(run.stderr);
    expect(notice, run.stderr).not.toBeNull();
    expect(run.stderr).toContain(`error[INTERRUPTED]: interrupted while connecting to ${PORT} (after attempt ${notice![1]} of 7): nothing was sent to the flash`);
    // All 7 attempts take about 4 s; stopping after the first or second takes about one.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("the second says the flash is unchanged and nothing needs finishing", async () => {
    const run = await interruptRun(ARGS, { cwd: dir, at: CONNECTING, twice: true });
    expect(run.exit, run.stderr).toBe(130);
    expect(run.stderr).toMatch(NOTICE);
    expect(run.stderr).toContain(
      [
        "Quit at once (second Ctrl-C). State of the flash:",
        "  unchanged: espsync was still connecting and sent nothing to the flash",
        "Nothing to finish: the flash is unchanged.",
      ].join("\n"),
    );
  });
});
