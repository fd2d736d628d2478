/**
 * SIGINT and SIGTERM sent to a real `espsync flash` process mid-write: it stops at a block boundary,
 * says what was written, exits 130, and leaves the simulated flash (kept in a file) holding part of
 * the new image. The next run writes only what is left, and nothing outside the image changes.
 * The virtual chip holds each data block's reply 25 ms (`delay=25`) so the write lasts long enough
 * in real time to be interrupted; the built binary (dist/) is required.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededBytes } from "../engine/helpers.js";
import { runEspsync } from "./cli-rig.js";
import { bytesChangedOutside, differingSectors, SECTOR } from "./sim-rig.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "dist/src/bin.js");
const ADDR = 0x100000;
const IMAGE_BYTES = 0x80000; // 512 KiB of noise: 32 uncompressible 16 KiB blocks
const FLASH_BYTES = 0x400000;
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "espsync-interrupt-"));
  writeFileSync(path.join(dir, "data.bin"), seededBytes(77, IMAGE_BYTES));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface ChildRun {
  readonly exit: number | null;
  readonly stderr: string;
}

/** Runs the binary; sends `signal` once the first write progress line appears. */
function flashChild(flashFile: string, signal: NodeJS.Signals): Promise<ChildRun> {
  const url = `sim:esp32c3?seed=5&file=${flashFile}&delay=25`;
  const child = spawn(process.execPath, [BIN, "flash", `0x${ADDR.toString(16)}`, "data.bin", "--port", url, "--no-cache", "--after", "no-reset"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let sent = false;
  child.stdout.resume();
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    if (!sent && /writing data\.bin/.test(stderr)) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((resolve) => child.on("close", (exit) => resolve({ exit, stderr })));
}

describe.skipIf(!existsSync(BIN))("interrupting a real espsync process (needs `npm run build`)", () => {
  it.each(["SIGINT", "SIGTERM"] as const)("%s mid-write: exit 130 with what was written; the re-run writes only the rest", async (signal) => {
    const flashFile = path.join(dir, `flash-${signal}.bin`);
    // A flash full of noise: any stray erase or write outside the image would show.
    const before = seededBytes(signal.length, FLASH_BYTES);
    writeFileSync(flashFile, before);
    const target = readFileSync(path.join(dir, "data.bin"));

    const first = await flashChild(flashFile, signal);
    expect(first.exit, first.stderr).toBe(130);
    expect(first.stderr).toMatch(/^error\[INTERRUPTED\]: flash interrupted: wrote \d+ of 524288 planned bytes; stopped in data\.bin at 0x00100000, complete up to 0x001[0-9a-f]{5}; the flash now holds part of the new images\. Running the same command again finishes the job, writing only what is left$/m);
    expect(first.stderr).toMatch(/^hint: Run the same command again/m);
    const mid = new Uint8Array(readFileSync(flashFile));
    const region = (f: Uint8Array): Uint8Array => f.subarray(ADDR, ADDR + IMAGE_BYTES);
    const left = differingSectors(ADDR, region(mid), target);
    // Stopped part-way: some sectors written, some not.
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(IMAGE_BYTES / SECTOR);
    const image = new Set(Array.from({ length: IMAGE_BYTES / SECTOR }, (_, i) => ADDR + i * SECTOR));
    expect(bytesChangedOutside(before, mid, image)).toBe(0);

    // The plain re-run, in process on the same flash file, so the chip's counters are visible.
    const again = await runEspsync(["flash", "0x100000", "data.bin", "--port", `sim:esp32c3?seed=5&file=${flashFile}`, "--no-cache", "--after", "no-reset"], { cwd: dir });
    expect(again.exit, again.stderr).toBe(0);
    const erased = new Set<number>();
    for (const e of again.chip?.flash.log ?? []) {
      if (e.kind === "erase-sector" || e.kind === "erase-block") for (let a = e.addr; a < e.addr + e.sizeBytes; a += SECTOR) erased.add(a);
    }
    expect([...erased].sort((a, b) => a - b)).toEqual(left);
    again.chip?.flushFlashFile();
    const after = new Uint8Array(readFileSync(flashFile));
    expect(Buffer.compare(region(after), target)).toBe(0);
    expect(bytesChangedOutside(before, after, image)).toBe(0);
  }, 30_000);
});
