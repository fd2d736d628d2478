/**
 * Ctrl-C during commands that change nothing on the flash: `verify` (the virtual chip holds each
 * digest reply, `delay-on=digest`) and `monitor --expect` (a console that never sees the line).
 * The first SIGINT says at once what is stopping (exit 130); the second, during verify, says the
 * flash is unchanged and there is nothing to finish (exit 130).
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededBytes } from "../engine/helpers.js";
import { BIN, interruptRun } from "./interrupt-run.js";
import { tempDir } from "./sim-rig.js";

let dir = "";
let verifyArgs: string[] = [];

beforeAll(() => {
  dir = tempDir("espsync-ctrl-c-read-only-");
  writeFileSync(path.join(dir, "a.bin"), seededBytes(101, 0x10000));
  writeFileSync(path.join(dir, "b.bin"), seededBytes(102, 0x10000));
  const port = `sim:esp32c3?file=${path.join(dir, "flash.bin")}&delay=400&delay-on=digest`;
  verifyArgs = ["verify", "-p", port, "0x100000", "a.bin", "0x200000", "b.bin"];
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const COMPARING = /^comparing by digest/m;
const VERIFY_NOTICE = /^Stopping after what is in flight \(Ctrl-C again quits at once\):\n {2}comparing the flash with the images by digest \([0-2] of 2 digests\)$/m;

describe.skipIf(!existsSync(BIN))("Ctrl-C during verify and monitor (needs `npm run build`)", () => {
  it("verify: the first says what is being compared and stops after the digests in flight", async () => {
    const run = await interruptRun(verifyArgs, { cwd: dir, at: COMPARING, twice: false });
    expect(run.exit, run.stderr).toBe(130);
    expect(run.stderr).toMatch(VERIFY_NOTICE);
    expect(run.stderr).toContain("error[INTERRUPTED]: verify interrupted before every digest was compared: the flash is unchanged (verify writes nothing)");
  });

  it("verify: the second says the flash is unchanged and nothing needs finishing", async () => {
    const run = await interruptRun(verifyArgs, { cwd: dir, at: COMPARING, twice: true });
    expect(run.exit, run.stderr).toBe(130);
    expect(run.stderr).toMatch(VERIFY_NOTICE);
    expect(run.stderr).toContain(["Quit at once (second Ctrl-C). State of the flash:", "  unchanged: verify writes nothing", "Nothing to finish: the flash is unchanged."].join("\n"));
  });

  it("monitor --expect: the first says the console is closing", async () => {
    const run = await interruptRun(["monitor", "-p", "sim:esp32c3", "--expect", "never printed", "--timeout", "20"], { cwd: dir, at: /^--- waiting/m, twice: false });
    expect(run.exit, run.stderr).toBe(130);
    expect(run.stderr).toContain(["Stopping after what is in flight (Ctrl-C again quits at once):", "  closing the console on sim:esp32c3"].join("\n"));
  });
});
