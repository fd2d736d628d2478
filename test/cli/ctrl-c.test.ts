/**
 * Ctrl-C on a real `espsync flash` process, three images onto a virtual chip that holds each data
 * block's reply (`delay=`) so that a block is in flight when the signal comes. The first SIGINT says
 * at once that it is stopping and what is in flight — before that block is done, as the address it
 * names shows against the one the stop reports — and the flash stops at the block boundary (exit
 * 130). A second SIGINT quits at once (exit 130) saying which images are complete, which is partly
 * written, which are not written yet, and that the same command finishes the job — which it does,
 * writing only what still differs. The built binary (dist/) is required.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededBytes } from "../engine/helpers.js";
import { ROOT } from "./sim-rig.js";

const BIN = path.join(ROOT, "dist/src/bin.js");
/** One 16 KiB block, sixteen blocks, one block: noise, so each is written whole and uncompressed. */
const IMAGES = [
  { file: "a.bin", addr: 0x100000, bytes: 0x4000 },
  { file: "b.bin", addr: 0x200000, bytes: 0x40000 },
  { file: "c.bin", addr: 0x300000, bytes: 0x4000 },
] as const;
/** How long the chip holds each block's reply: the signals come within milliseconds of each other. */
const DELAY_MS = 400;
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "espsync-ctrl-c-"));
  IMAGES.forEach((image, i) => writeFileSync(path.join(dir, image.file), seededBytes(60 + i, image.bytes)));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `espsync flash` of the three images onto the virtual chip kept in `flashFile`. */
function flashArgs(flashFile: string, delayMs?: number): string[] {
  const port = `sim:esp32c3?file=${flashFile}${delayMs === undefined ? "" : `&delay=${delayMs}`}`;
  return [BIN, "flash", "-p", port, ...IMAGES.flatMap((i) => [`0x${i.addr.toString(16)}`, i.file]), "--no-cache", "--after", "no-reset"];
}

/**
 * Runs the flash and sends SIGINT when b.bin's first block is acknowledged (its first progress
 * line) and, with `twice`, again once the first notice is out.
 */
function interrupted(flashFile: string, delayMs: number, twice: boolean): Promise<{ exit: number | null; stderr: string }> {
  const child = spawn(process.execPath, flashArgs(flashFile, delayMs), { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let sent = 0;
  child.stdout.resume();
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    if (sent === 0 && /^writing b\.bin/m.test(stderr)) {
      sent = 1;
      child.kill("SIGINT");
    } else if (sent === 1 && twice && /^Stopping/m.test(stderr)) {
      sent = 2;
      child.kill("SIGINT");
    }
  });
  return new Promise((resolve) => child.on("close", (exit) => resolve({ exit, stderr })));
}

const IN_FLIGHT = /^Stopping after what is in flight \(Ctrl-C again quits at once\):\n {2}writing b\.bin at 0x00200000: complete up to (0x[0-9a-f]{8}), the block at \1 in flight$/m;

describe.skipIf(!existsSync(BIN))("Ctrl-C during espsync flash (needs `npm run build`)", () => {
  it("the first says at once where it stops; the flash stops at the block boundary after it", async () => {
    const run = await interrupted(path.join(dir, "once.bin"), DELAY_MS, false);
    expect(run.exit, run.stderr).toBe(130);
    const notice = IN_FLIGHT.exec(run.stderr);
    expect(notice, run.stderr).not.toBeNull();
    const stopped = /^error\[INTERRUPTED\]: .*stopped in b\.bin at 0x00200000, complete up to (0x[0-9a-f]{8})/m.exec(run.stderr);
    expect(stopped, run.stderr).not.toBeNull();
    // Said while the block was in flight: the stop came after it, further on.
    expect(run.stderr.indexOf(notice![0])).toBeLessThan(run.stderr.indexOf(stopped![0]));
    expect(Number(stopped![1])).toBeGreaterThan(Number(notice![1]));
  });

  it("the second quits at once with the state of the flash; the same command then finishes the job", async () => {
    const flashFile = path.join(dir, "twice.bin");
    const run = await interrupted(flashFile, DELAY_MS, true);
    expect(run.exit, run.stderr).toBe(130);
    expect(run.stderr).toMatch(IN_FLIGHT);
    const upTo = IN_FLIGHT.exec(run.stderr)![1];
    expect(run.stderr).toContain(
      [
        "Quit at once (second Ctrl-C). State of the flash:",
        "  a.bin at 0x00100000: complete, verified",
        `  b.bin at 0x00200000: partly written: new up to ${upTo}, after that parts may be erased or half-written`,
        "  c.bin at 0x00300000: not written yet (it holds what it held before)",
        "To finish, run the same command again: espsync writes only what still differs.",
      ].join("\n"),
    );
    // It did not wait for the block in flight, so no stop at a block boundary was reported.
    expect(run.stderr).not.toMatch(/INTERRUPTED/);

    const again = spawnSync(process.execPath, flashArgs(flashFile), { cwd: dir, encoding: "utf8", timeout: 20_000 });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^a\.bin at 0x00100000: skipped/m);
    expect(again.stdout).toMatch(/^b\.bin at 0x00200000: \d+ of 64 sectors written/m);
    expect(again.stdout).toMatch(/^c\.bin at 0x00300000: full/m);
    const flash = readFileSync(flashFile);
    for (const image of IMAGES) {
      expect(flash.subarray(image.addr, image.addr + image.bytes).equals(readFileSync(path.join(dir, image.file))), image.file).toBe(true);
    }
  });
});
