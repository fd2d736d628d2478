/**
 * Ctrl-C during `espsync erase-region` and `espsync erase`: the virtual chip holds each erase reply
 * (`delay-on=erase`). erase-region goes in 64 KiB steps: the first SIGINT says at once what is
 * erased and which step is in flight, and the erase stops at that step's end (exit 130); the second
 * quits at once saying which part is erased, which may be partly erased and which is not erased
 * yet, and to run the same command again — which leaves the whole region 0xFF, as the flash file
 * shows. The whole-chip erase is one command the chip sees through: the notice says so.
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededBytes } from "../engine/helpers.js";
import { BIN, interruptRun } from "./interrupt-run.js";
import { flashFile as readFlash, tempDir } from "./sim-rig.js";

const ADDR = 0x200000;
const SIZE = 0x40000;
let dir = "";

beforeAll(() => {
  dir = tempDir("espsync-ctrl-c-erase-");
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh 4 MiB flash file of noise: nothing in it reads as erased. */
function noisyFlash(name: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, seededBytes(91, 0x400000));
  return file;
}

function eraseRegionArgs(file: string, delayed: boolean): string[] {
  return ["erase-region", "-p", `sim:esp32c3?file=${file}${delayed ? "&delay=300&delay-on=erase" : ""}`, "0x200000", "0x40000"];
}

/** The first step is done (its progress line), the second in flight. */
const FIRST_STEP_DONE = /^erasing 0x00200000\.\.0x00240000: 25%/m;
const NOTICE = [
  "Stopping after what is in flight (Ctrl-C again quits at once):",
  "  erasing 0x00200000..0x00240000: erased up to 0x00210000, 0x00210000..0x00220000 in flight",
].join("\n");

/** Whether every byte of `[from, to)` of the flash file is erased. */
function erased(file: string, from: number, to: number): boolean {
  return readFlash(file)
    .subarray(from, to)
    .every((b) => b === 0xff);
}

describe.skipIf(!existsSync(BIN))("Ctrl-C during espsync erase-region and erase (needs `npm run build`)", () => {
  it("erase-region: the first says what is erased and in flight; the erase stops at that step's end", async () => {
    const file = noisyFlash("once.bin");
    const run = await interruptRun(eraseRegionArgs(file, true), { cwd: dir, at: FIRST_STEP_DONE, twice: false });
    expect(run.exit, run.stderr).toBe(130);
    expect(run.stderr).toContain(NOTICE);
    expect(run.stderr).toContain("error[INTERRUPTED]: erase interrupted: 0x00200000..0x00220000 erased, 0x00220000..0x00240000 not erased yet");
    expect(erased(file, ADDR, ADDR + 0x20000)).toBe(true);
    expect(readFlash(file)[ADDR + 0x20000]).not.toBe(0xff);
  });

  it("erase-region: the second says what state the region is in; the same command finishes erasing it", async () => {
    const file = noisyFlash("twice.bin");
    const run = await interruptRun(eraseRegionArgs(file, true), { cwd: dir, at: FIRST_STEP_DONE, twice: true });
    expect(run.exit, run.stderr).toBe(130);
    expect(run.stderr).toContain(NOTICE);
    expect(run.stderr).toContain(
      [
        "Quit at once (second Ctrl-C). State of the flash:",
        "  0x00200000..0x00210000: erased",
        "  0x00210000..0x00220000: may be partly erased (its erase was in flight)",
        "  0x00220000..0x00240000: not erased yet (it holds what it held before)",
        "To finish erasing, run the same command again.",
      ].join("\n"),
    );
    expect(erased(file, ADDR, ADDR + SIZE)).toBe(false);

    const again = spawnSync(process.execPath, [BIN, ...eraseRegionArgs(file, false)], { cwd: dir, encoding: "utf8", timeout: 20_000 });
    expect(again.status, again.stderr).toBe(0);
    expect(erased(file, ADDR, ADDR + SIZE)).toBe(true);
    // Only the region: the sectors on either side keep their bytes.
    expect(readFlash(file)[ADDR - 1]).not.toBe(0xff);
    expect(readFlash(file)[ADDR + SIZE]).not.toBe(0xff);
  });

  it("erase: the first says the whole-chip erase finishes first; the second what state the flash is in", async () => {
    const file = noisyFlash("chip.bin");
    // The moment is the command on the wire (--trace): a Ctrl-C after the status line but before
    // the send rightly stops the erase before it began ("erase interrupted before it began").
    const run = await interruptRun(["erase", "--trace", "-p", `sim:esp32c3?file=${file}&delay=1500&delay-on=erase`], { cwd: dir, at: /^trace: -> ERASE_FLASH/m, twice: true });
    expect(run.exit, run.stderr).toBe(130);
    expect(run.stderr).toContain(
      [
        "Stopping after what is in flight (Ctrl-C again quits at once):",
        "  erasing the whole chip (one command: the chip finishes it first)",
        "Quit at once (second Ctrl-C). State of the flash:",
        "  any part of it may be erased (the whole-chip erase was in flight)",
        "To finish erasing, run the same command again.",
      ].join("\n"),
    );
  });
});
