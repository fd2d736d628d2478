/**
 * `espsync merge` end to end: a raw merged image flashed at 0 onto the virtual chip leaves its flash
 * byte-identical to flashing the separate files at their addresses (compared through the flash
 * files, never through the code under test); HEX and UF2 read back (readers written from the
 * formats' descriptions) to the raw bytes; the raw options; and bad input refused as `flash` refuses
 * it, before any port is opened.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { flatten, readIntelHex, readUf2, uf2Chunks } from "../image/format-readers.js";
import { runCli } from "./helpers.js";
import { FIRMWARE_DIR, HAS_FIRMWARE, NO_FIRMWARE, cliEnv, errorLines, flashFile, recordPorts, simUrl, tempDir, writeBuild } from "./sim-rig.js";

/** The IDF hello_world build for `chip` as ADDR FILE pairs. */
function idfPairs(chip: string, bootloaderAddr: string): string[] {
  const dir = path.join(FIRMWARE_DIR, "idf-hello-v5.2", chip);
  return [bootloaderAddr, path.join(dir, "bootloader.bin"), "0x8000", path.join(dir, "partition-table.bin"), "0x10000", path.join(dir, "hello_world.bin")];
}

/** Flashes `args` onto a fresh virtual ESP32-C3 kept in `dir/name` and returns its flash. */
async function flashOnto(dir: string, name: string, seed: number, args: string[]): Promise<Buffer> {
  const file = path.join(dir, name);
  const result = await runCli(["flash", "--port", simUrl(file, seed), ...args], { env: cliEnv(dir) });
  expect(result.code, result.stderr).toBe(0);
  return flashFile(file);
}

function same(a: Uint8Array, b: Uint8Array): void {
  expect(a.length).toBe(b.length);
  // Buffer.compare: a deep equality of megabytes is slow and prints nothing useful anyway.
  expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
}

describe.skipIf(!HAS_FIRMWARE)(`espsync merge with the ESP-IDF hello_world builds (skipped when ${NO_FIRMWARE})`, () => {
  it("raw, flashed at 0x0, leaves the chip as flashing the three files at their addresses does", async () => {
    const dir = tempDir();
    const pairs = idfPairs("esp32c3", "0x0");
    const merged = await runCli(["merge", "-o", "merged.bin", ...pairs], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toContain("merged.bin: ");
    expect(merged.stdout).toContain("raw, flash it at 0x00000000");
    const viaMerged = await flashOnto(dir, "a.bin", 11, ["0x0", path.join(dir, "merged.bin")]);
    const viaFiles = await flashOnto(dir, "b.bin", 12, pairs);
    same(viaMerged, viaFiles);
    // The files really are in there (and the rest is erased flash).
    expect(viaMerged.subarray(0x10000, 0x10000 + 32)).toEqual(readFileSync(pairs[5]!).subarray(0, 32));
  });

  it("with --flash-mode/--flash-freq/--flash-size the merged bootloader is the one flash writes", async () => {
    const dir = tempDir();
    const pairs = idfPairs("esp32c3", "0x0");
    const settings = ["--flash-mode", "dio", "--flash-freq", "40m", "--flash-size", "4MB"];
    const merged = await runCli(["merge", "-o", "merged.bin", ...pairs, ...settings], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/bootloader \(header patched\)/);
    const viaMerged = await flashOnto(dir, "a.bin", 13, ["0x0", path.join(dir, "merged.bin")]);
    const viaFiles = await flashOnto(dir, "b.bin", 14, [...pairs, ...settings]);
    same(viaMerged, viaFiles);
    expect([viaMerged[2], viaMerged[3]]).toEqual([0x02, 0x20]); // dio; 4MB | 40m (PROTOCOL.md §5.3)
  });

  it("Intel HEX and UF2 read back to the raw file's bytes", async () => {
    const dir = tempDir();
    const pairs = idfPairs("esp32c3", "0x0");
    for (const [format, name] of [["raw", "m.bin"], ["hex", "m.hex"], ["uf2", "m.uf2"]]) {
      const result = await runCli(["merge", "-o", name!, "--format", format!, ...pairs], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
    }
    const raw = readFileSync(path.join(dir, "m.bin"));
    same(flatten(readIntelHex(readFileSync(path.join(dir, "m.hex"), "ascii")), 0, raw.length), raw);
    const blocks = readUf2(readFileSync(path.join(dir, "m.uf2")));
    expect(new Set(blocks.map((b) => b.familyId))).toEqual(new Set([0xd42ba06c])); // esptool targets/esp32c3.py
    same(flatten(uf2Chunks(blocks), 0, raw.length), raw);
  });

  it("ESP32 (bootloader at 0x1000): raw starts there unless --target-offset says 0; --fill-flash-size pads to the flash size", async () => {
    const dir = tempDir();
    const pairs = idfPairs("esp32", "0x1000");
    const lowest = await runCli(["merge", "-o", "a.bin", ...pairs, "--json"], { cwd: dir });
    expect(lowest.code, lowest.stderr).toBe(0);
    const doc = JSON.parse(lowest.stdout) as { ok: boolean; format: string; addr: number; chip: string; sizeBytes: number; parts: { addr: number; kind: string }[] };
    expect(doc).toMatchObject({ ok: true, format: "raw", addr: 0x1000, chip: "esp32" });
    expect(doc.parts.map((p) => [p.addr, p.kind])).toEqual([[0x1000, "bootloader"], [0x8000, "partition-table"], [0x10000, "app"]]);
    const a = readFileSync(path.join(dir, "a.bin"));
    expect(a.length).toBe(doc.sizeBytes);
    expect(a.subarray(0, 16)).toEqual(readFileSync(pairs[1]!).subarray(0, 16));

    expect((await runCli(["merge", "-o", "b.bin", ...pairs, "--target-offset", "0"], { cwd: dir })).code).toBe(0);
    const b = readFileSync(path.join(dir, "b.bin"));
    expect(b.subarray(0, 0x1000).every((x) => x === 0xff)).toBe(true);
    same(b.subarray(0x1000), a);

    const filled = await runCli(["merge", "-o", "c.bin", ...pairs, "--fill-flash-size", "4MB"], { cwd: dir });
    expect(filled.code, filled.stderr).toBe(0);
    const c = readFileSync(path.join(dir, "c.bin"));
    expect(c.length).toBe(0x400000 - 0x1000);
    same(c.subarray(0, a.length), a);
    expect(c.subarray(a.length).every((x) => x === 0xff)).toBe(true);
  });

  it("--partition-table with ESP-IDF's single-app CSV merges to the same file as the table ESP-IDF built", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "partitions.csv"), "# Name,   Type, SubType, Offset,  Size, Flags\nnvs,      data, nvs,     ,        0x6000,\nphy_init, data, phy,     ,        0x1000,\nfactory,  app,  factory, ,        1M,\n");
    const pairs = idfPairs("esp32c3", "0x0");
    expect((await runCli(["merge", "-o", "built.bin", ...pairs], { cwd: dir })).code).toBe(0);
    const fromCsv = await runCli(["merge", "-o", "csv.bin", pairs[0]!, pairs[1]!, pairs[4]!, pairs[5]!, "--partition-table", "partitions.csv"], { cwd: dir });
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    same(readFileSync(path.join(dir, "csv.bin")), readFileSync(path.join(dir, "built.bin")));
  });

  it("images for one chip merged for another are refused (CHIP_MISMATCH, exit 5)", async () => {
    const dir = tempDir();
    const result = await runCli(["merge", "-o", "x.bin", ...idfPairs("esp32c3", "0x0"), "--chip", "esp32s3"], { cwd: dir });
    expect(result.code).toBe(5);
    expect(errorLines(result.stderr).first).toMatch(/^error\[CHIP_MISMATCH\]: .*bootloader\.bin at 0x00000000 is built for esp32c3 \(chip id 5\), but --chip is esp32s3$/);
    expect(existsSync(path.join(dir, "x.bin"))).toBe(false);
  });
});

describe("espsync merge with a generated build", () => {
  it("raw, flashed at 0x0, equals the three files flashed at their addresses", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const merged = await runCli(["merge", "-o", "merged.bin", ...build.pairs, "--json"], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    const doc = JSON.parse(merged.stdout) as { command: string; file: string; sizeBytes: number; chip: string };
    expect(doc).toMatchObject({ command: "merge", file: "merged.bin", sizeBytes: 0x10000 + build.bytes.app.length, chip: "esp32c3" });
    same(await flashOnto(dir, "a.bin", 21, ["0x0", path.join(dir, "merged.bin")]), await flashOnto(dir, "b.bin", 22, build.pairs));
  });

  it("refuses overlapping files as flash refuses them, before any port and without writing the output", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const overlapping = [...build.pairs, "0x11000", build.table];
    const ports = recordPorts();
    const viaMerge = await runCli(["merge", "-o", "merged.bin", ...overlapping], { cwd: dir, openPort: ports.openPort });
    const viaFlash = await runCli(["flash", "--port", simUrl(path.join(dir, "f.bin")), ...overlapping], { cwd: dir, env: cliEnv(dir), openPort: ports.openPort });
    expect(viaMerge.code).toBe(2);
    expect(viaFlash.code).toBe(2);
    const mergeError = errorLines(viaMerge.stderr);
    expect(mergeError.first).toMatch(/^error\[LAYOUT_OVERLAP\]: .*app\.bin at 0x00010000\.\.0x[0-9a-f]{8} overlaps .*partition-table\.bin at 0x00011000/);
    expect(mergeError).toEqual(errorLines(viaFlash.stderr));
    expect(ports.opened).toEqual([]);
    expect(existsSync(path.join(dir, "merged.bin"))).toBe(false);
  });

  it("needs -o; refuses raw-only options with --format hex; UF2 needs a chip", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const noOutput = await runCli(["merge", ...build.pairs], { cwd: dir });
    expect([noOutput.code, errorLines(noOutput.stderr).first]).toEqual([2, "error[USAGE]: no output file: espsync merge needs -o FILE"]);
    const hexOffset = await runCli(["merge", "-o", "m.hex", "--format", "hex", "--target-offset", "0x0", ...build.pairs], { cwd: dir });
    expect(hexOffset.code).toBe(2);
    expect(errorLines(hexOffset.stderr).first).toMatch(/^error\[USAGE\]: --target-offset and --fill-flash-size apply to --format raw only/);
    const data = path.join(dir, "fs.bin");
    writeFileSync(data, new Uint8Array(0x1000).fill(5));
    const uf2 = await runCli(["merge", "-o", "m.uf2", "--format", "uf2", "0x100000", data], { cwd: dir });
    expect(uf2.code).toBe(2);
    expect(errorLines(uf2.stderr)).toEqual({ first: "error[USAGE]: the chip is not known from the images: UF2 blocks carry the chip's family id", hint: "hint: Name it with --chip, e.g. --chip esp32c3" });
    const withChip = await runCli(["merge", "-o", "m.uf2", "--format", "uf2", "--chip", "esp32h2", "0x100000", data], { cwd: dir });
    expect(withChip.code, withChip.stderr).toBe(0);
    expect(readUf2(readFileSync(path.join(dir, "m.uf2")))[0]?.familyId).toBe(0x332726f6); // esptool targets/esp32h2.py
  });
});
