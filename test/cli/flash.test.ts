/**
 * `espsync flash` against the virtual chip: the flash ends up holding every file at its address,
 * a second run writes nothing, a one-sector change writes exactly that sector, and the options
 * (--dry-run, --no-delta, --erase-all, --no-verify, Ctrl-C) do what they say — proven through the
 * flash file and the chip's own counters, never through the code under test.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { FlashResult } from "../../src/engine/index.js";
import { runCli } from "./helpers.js";
import { ROOT, cliEnv, flashChangingCommands, flashFile, recordPorts, simUrl, tempDir, writeBuild } from "./sim-rig.js";

interface FlashDoc {
  ok: boolean;
  command: string;
  boards: { port: string; chip: { mac: string; chip: string } | null; result: FlashResult | null; error?: { code: string; message: string; hint?: string } }[];
}

/** Deterministic incompressible bytes (MD5 chain), built here, independent of the code under test. */
function noise(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let o = 0, i = 0; o < length; o += 16, i++) out.set(createHash("md5").update(`noise-${i}`).digest().subarray(0, Math.min(16, length - o)), o);
  return out;
}

function padded(data: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.ceil(data.length / 0x1000) * 0x1000, 0xff);
  out.set(data);
  return out;
}

describe("espsync flash", () => {
  it("writes every file at its address, then writes nothing on the second run", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const file = path.join(dir, "flash.bin");
    const env = cliEnv(dir);

    const first = await runCli(["flash", "--port", simUrl(file), ...build.pairs], { env });
    expect(first.code, JSON.stringify(first)).toBe(0);
    const flashBytes = flashFile(file);
    expect(flashBytes.subarray(0x0, 0x0 + build.bytes.bootloader.length)).toEqual(Buffer.from(build.bytes.bootloader));
    expect(flashBytes.subarray(0x8000, 0x8000 + build.bytes.table.length)).toEqual(Buffer.from(build.bytes.table));
    expect(flashBytes.subarray(0x10000, 0x10000 + build.bytes.app.length)).toEqual(Buffer.from(build.bytes.app));
    const appSectors = Math.ceil(build.bytes.app.length / 0x1000);
    expect(first.stdout).toContain(`app.bin at 0x00010000: full`);

    const ports = recordPorts();
    const second = await runCli(["flash", "--port", simUrl(file), ...build.pairs, "--json"], { env, openPort: ports.openPort });
    expect(second.code, second.stderr).toBe(0);
    const doc = JSON.parse(second.stdout) as FlashDoc;
    const result = doc.boards[0]?.result;
    expect(result?.totals.writtenBytes).toBe(0);
    expect(result?.regions.map((r) => r.outcome)).toEqual(["skip", "skip", "skip"]);
    expect(result?.regions[2]?.sectorsTotal).toBe(appSectors);
    // The chip itself saw no erase and no programmed byte.
    const chip = ports.chips[0]!;
    expect(chip.flash.counters.sectorsErased + chip.flash.counters.blocksErased).toBe(0);
    expect(chip.flash.counters.bytesProgrammed).toBe(0);
    expect(flashChangingCommands(chip)).toBe(0);
  });

  it("writes exactly the one sector that changed and says so", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    // A data image (no ESP image checks apply): 64 sectors of incompressible bytes at 0x110000, so
    // rewriting it whole never looks cheaper than writing the one changed sector.
    const data = noise(64 * 0x1000);
    const dataFile = path.join(dir, "storage.bin");
    writeFileSync(dataFile, data);
    const args = [...build.pairs, "0x110000", dataFile];
    const file = path.join(dir, "flash.bin");
    const env = cliEnv(dir);
    expect((await runCli(["flash", "--port", simUrl(file), ...args], { env })).code).toBe(0);

    const changed = Uint8Array.from(data);
    changed[5 * 0x1000 + 100] = (changed[5 * 0x1000 + 100]! ^ 0x5a) & 0xff;
    writeFileSync(dataFile, changed);

    const ports = recordPorts();
    const run = await runCli(["flash", "--port", simUrl(file), ...args, "--no-cache"], { env, openPort: ports.openPort });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("storage.bin at 0x00110000: 1 of 64 sectors written");
    expect(run.stdout).toMatch(/app\.bin at 0x00010000: skipped/);
    const chip = ports.chips[0]!;
    const erased = chip.flash.log.filter((e) => e.kind === "erase-sector" || e.kind === "erase-block").map((e) => [e.addr, e.sizeBytes]);
    expect(erased).toEqual([[0x115000, 0x1000]]);
    expect(chip.flash.counters.bytesProgrammed).toBe(0x1000);
    expect(flashFile(file).subarray(0x110000, 0x110000 + changed.length)).toEqual(Buffer.from(changed));
  });

  it("--dry-run prints the plan and changes nothing; --no-delta and --erase-all rewrite every region", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const file = path.join(dir, "flash.bin");
    const env = cliEnv(dir);

    const dry = recordPorts();
    const planned = await runCli(["flash", "--port", simUrl(file), ...build.pairs, "--dry-run"], { env, openPort: dry.openPort });
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain("app.bin at 0x00010000: would write all");
    expect(dry.chips[0]!.flash.counters.bytesProgrammed).toBe(0);
    expect(flashChangingCommands(dry.chips[0]!)).toBe(0);
    expect(flashFile(file).every((b) => b === 0xff)).toBe(true);

    expect((await runCli(["flash", "--port", simUrl(file), ...build.pairs], { env })).code).toBe(0);
    const full = recordPorts();
    const noDelta = await runCli(["flash", "--port", simUrl(file), ...build.pairs, "--no-delta", "--json"], { env, openPort: full.openPort });
    expect(noDelta.code, noDelta.stderr).toBe(0);
    const doc = JSON.parse(noDelta.stdout) as FlashDoc;
    expect(doc.boards[0]!.result!.regions.map((r) => r.outcome)).toEqual(["full", "full", "full"]);
    const expectedBytes = padded(build.bytes.bootloader).length + padded(build.bytes.table).length + padded(build.bytes.app).length;
    expect(full.chips[0]!.flash.counters.bytesProgrammed).toBe(expectedBytes);

    const wipe = recordPorts();
    const eraseAll = await runCli(["flash", "--port", simUrl(file), ...build.pairs, "--erase-all"], { env, openPort: wipe.openPort });
    expect(eraseAll.code, eraseAll.stderr).toBe(0);
    expect(wipe.chips[0]!.flash.counters.commands.ERASE_FLASH).toBe(1);
    const after = flashFile(file);
    expect(after.subarray(0x10000, 0x10000 + build.bytes.app.length)).toEqual(Buffer.from(build.bytes.app));
    // Erased everywhere outside the images.
    expect(after.subarray(0x200000, 0x201000).every((b) => b === 0xff)).toBe(true);
  });

  it("--no-verify warns that nothing is checked", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const file = path.join(dir, "flash.bin");
    const ports = recordPorts();
    const result = await runCli(["flash", "--port", simUrl(file), ...build.pairs, "--no-verify"], { env: cliEnv(dir), openPort: ports.openPort });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^warning: .*--no-verify/m);
    expect(result.stdout).not.toMatch(/verified/);
    // The images were written, and the chip was asked for no digest after the last programmed byte.
    expect(flashFile(file).subarray(0x10000, 0x10000 + build.bytes.app.length)).toEqual(Buffer.from(build.bytes.app));
    const log = ports.chips[0]!.flash.log;
    const lastProgram = log.findLastIndex((e) => e.kind === "program");
    expect(lastProgram).toBeGreaterThan(-1);
    expect(log.slice(lastProgram + 1).filter((e) => e.op === "SPI_FLASH_MD5")).toEqual([]);
  });

  it("Ctrl-C stops after the current block, says what was written, exits 130; the same command then finishes the job", async () => {
    const dir = tempDir();
    const build = writeBuild(dir, { appBytes: 200_000 });
    const file = path.join(dir, "flash.bin");
    const env = cliEnv(dir);
    const controller = new AbortController();
    const ports = recordPorts();
    const interrupting = (url: string) => {
      const port = ports.openPort(url);
      const chip = ports.chips[ports.chips.length - 1]!;
      const write = port.write.bind(port);
      // Abort once the chip has programmed its first bytes: the interrupt lands mid-flash.
      port.write = async (data) => {
        if (chip.flash.counters.bytesProgrammed > 0 && !controller.signal.aborted) controller.abort();
        return write(data);
      };
      return port;
    };
    const stopped = await runCli(["flash", "--port", simUrl(file), ...build.pairs, "--no-cache"], { env, openPort: interrupting, signal: controller.signal });
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/^error\[INTERRUPTED\]: flash interrupted: .*again/m);
    expect(stopped.stderr).toMatch(/^hint: Run the same command again/m);
    const partial = flashFile(file);
    expect(partial.subarray(0x10000, 0x10000 + build.bytes.app.length).equals(Buffer.from(build.bytes.app))).toBe(false);

    // Which images the interrupted run had already finished, read from the flash file here.
    const images = [[0x0, build.bytes.bootloader], [0x8000, build.bytes.table], [0x10000, build.bytes.app]] as const;
    const finished = images.filter(([addr, bytes]) => partial.subarray(addr, addr + bytes.length).equals(Buffer.from(bytes)));
    expect(finished.map(([addr]) => addr)).toContain(0x0); // the bootloader, written first, was done

    const rerun = recordPorts();
    const repaired = await runCli(["flash", "--port", simUrl(file), ...build.pairs], { env, openPort: rerun.openPort });
    expect(repaired.code, repaired.stderr).toBe(0);
    const after = flashFile(file);
    for (const [addr, bytes] of images) expect(after.subarray(addr, addr + bytes.length)).toEqual(Buffer.from(bytes));
    // The re-run left the finished images alone and wrote less than the whole set.
    const erased = rerun.chips[0]!.flash.log.filter((e) => e.kind === "erase-sector" || e.kind === "erase-block");
    for (const [addr, bytes] of finished) expect(erased.filter((e) => e.addr < addr + bytes.length && e.addr + e.sizeBytes > addr)).toEqual([]);
    const allBytes = images.reduce((sum, [, bytes]) => sum + padded(bytes).length, 0);
    expect(rerun.chips[0]!.flash.counters.bytesProgrammed).toBeGreaterThan(0);
    expect(rerun.chips[0]!.flash.counters.bytesProgrammed).toBeLessThan(allBytes);
  });

  it("flashes an ESP-IDF build directory (--build finds flasher_args.json)", async () => {
    const dir = tempDir();
    const file = path.join(dir, "flash.bin");
    const demo = path.join(ROOT, "fixtures/demo");
    const result = await runCli(["flash", "--port", simUrl(file), "--build", "demo"], { env: cliEnv(dir), cwd: path.dirname(demo) });
    expect(result.code, result.stderr).toBe(0);
    const app = readFileSync(path.join(demo, "espsync-demo.bin"));
    expect(flashFile(file).subarray(0x10000, 0x10000 + app.length).equals(app)).toBe(true);
    expect(result.stdout).toMatch(/^espsync-demo\.bin at 0x00010000: full/m);
  });

  it("keeps a digest cache per chip in ESPSYNC_CACHE_DIR", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const env = cliEnv(dir);
    const result = await runCli(["flash", "--port", "sim:esp32c3?flash=4MB&mac=24:0a:c4:00:00:42", ...build.pairs], { env });
    expect(result.code, result.stderr).toBe(0);
    const cache = JSON.parse(readFileSync(path.join(env.ESPSYNC_CACHE_DIR!, "digests.json"), "utf8")) as { entries: { mac: string; addr: number }[] };
    expect(cache.entries.map((e) => [e.mac, e.addr]).sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([
      ["24:0a:c4:00:00:42", 0x0],
      ["24:0a:c4:00:00:42", 0x8000],
      ["24:0a:c4:00:00:42", 0x10000],
    ]);
  });
});
