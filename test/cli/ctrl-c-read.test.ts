/**
 * Ctrl-C during `espsync read`: the virtual chip holds each READ_FLASH reply (`delay-on=read`), so
 * the 256 KiB read (four 64 KiB steps) is under way when the signal comes. The first SIGINT says at
 * once where the read is, and the read stops at the end of that step (exit 130); the second quits at
 * once saying the flash is unchanged and the file was not written. Either way no file is left under
 * the name (nor a temporary one beside it), and the same command then reads the whole range.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededBytes } from "../engine/helpers.js";
import { BIN, interruptRun } from "./interrupt-run.js";
import { tempDir } from "./sim-rig.js";

const ADDR = 0x10000;
const SIZE = 0x40000;
let dir = "";
let flashFile = "";

beforeAll(() => {
  dir = tempDir("espsync-ctrl-c-read-");
  flashFile = path.join(dir, "flash.bin");
  writeFileSync(flashFile, seededBytes(81, 0x400000));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function readArgs(out: string, delayed: boolean): string[] {
  const port = `sim:esp32c3?file=${flashFile}${delayed ? "&delay=300&delay-on=read" : ""}`;
  return ["read", "-p", port, "0x10000", "0x40000", out];
}

/** The first progress line of the read: its first packets arrived. */
const READING = /^reading 0x00010000\.\.0x00050000: \d+%/m;
const NOTICE = /^Stopping after what is in flight \(Ctrl-C again quits at once\):\n {2}reading 0x00010000\+0x40000 into (\S+): at (0x[0-9a-f]{8})$/m;

describe.skipIf(!existsSync(BIN))("Ctrl-C during espsync read (needs `npm run build`)", () => {
  it("the first says where the read is; it stops at the step's end and writes no file", async () => {
    const run = await interruptRun(readArgs("once.bin", true), { cwd: dir, at: READING, twice: false });
    expect(run.exit, run.stderr).toBe(130);
    const notice = NOTICE.exec(run.stderr);
    expect(notice, run.stderr).not.toBeNull();
    expect(notice![1]).toBe("once.bin");
    const at = Number(notice![2]);
    expect(at).toBeGreaterThanOrEqual(ADDR);
    expect(at).toBeLessThan(ADDR + SIZE);
    // The stop comes at the end of the 64 KiB step the notice was in.
    const stepEnd = (Math.floor(at / 0x10000) + 1) * 0x10000;
    expect(run.stderr).toContain(
      `error[INTERRUPTED]: read interrupted at 0x${stepEnd.toString(16).padStart(8, "0")} (0x${(stepEnd - ADDR).toString(16)} of 0x40000 bytes read): once.bin was not written; the flash is unchanged`,
    );
    expect(readdirSync(dir).sort()).toEqual(["flash.bin"]);
  });

  it("the second says the flash is unchanged and the file not written; the same command then reads it all", async () => {
    const run = await interruptRun(readArgs("twice.bin", true), { cwd: dir, at: READING, twice: true });
    expect(run.exit, run.stderr).toBe(130);
    expect(run.stderr).toMatch(NOTICE);
    expect(run.stderr).toContain(
      [
        "Quit at once (second Ctrl-C). State of the flash:",
        "  unchanged: a read writes nothing to it",
        "  twice.bin: not written (it is written only once the whole range is read)",
        "Nothing to finish: the flash is unchanged.",
      ].join("\n"),
    );
    expect(run.stderr).not.toMatch(/INTERRUPTED/);
    expect(readdirSync(dir).sort()).toEqual(["flash.bin"]);

    const again = spawnSync(process.execPath, [BIN, ...readArgs("twice.bin", false)], { cwd: dir, encoding: "utf8", timeout: 20_000 });
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(path.join(dir, "twice.bin")).equals(readFileSync(flashFile).subarray(ADDR, ADDR + SIZE))).toBe(true);
  });
});
