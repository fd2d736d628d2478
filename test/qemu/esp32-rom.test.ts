/**
 * espsync with --no-stub against the real ESP32 mask ROM loader under QEMU (115200, socket://):
 * flash the IDF hello set, verify it, read the partition table back. The ROM is strict where the
 * stub is lenient (FLASH_BEGIN of exactly 16 bytes, blocks of at most 0x1800 bytes, PROTOCOL.md
 * §11) and reads flash only through 64-byte READ_FLASH_SLOW requests, so only a small region is read.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { differingSectors, dirtyOutside, helloSet, imageSectors, pairArgs, type Placed } from "./firmware-images.js";
import { qemuUnavailable } from "./qemu-env.js";
import { startRig, type QemuRig } from "./qemu-rig.js";
import { sectorsCovered } from "./wire-tally.js";

const why = qemuUnavailable("esp32");
if (why !== undefined) console.log(`QEMU ESP32 ROM-only suite skipped: ${why}`);
const suite = why === undefined ? describe : describe.skip;

suite(`ESP32 ROM loader only (--no-stub) under QEMU${why === undefined ? "" : ` (skipped: ${why})`}`, () => {
  // Filled in beforeAll: a skipped suite still runs this body, and must not touch ../shared.
  let rig: QemuRig;
  let out = "";
  let hello: Placed[] = [];
  let helloSectors: number[] = [];

  beforeAll(async () => {
    out = mkdtempSync(path.join(tmpdir(), "espsync-qemu-rom-"));
    hello = helloSet("esp32");
    helloSectors = imageSectors(hello);
    rig = await startRig("esp32", { connection: ["--no-stub"] });
  }, 130_000); // up to three ports tried, 40 s each
  afterAll(async () => {
    await rig?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  }, 30_000);

  let afterFlash: Buffer | undefined;

  it("flashes the IDF v5.2 hello set through the ROM: the flash holds the files", async () => {
    const s = await rig.run("rom flash hello", ["flash", ...pairArgs(hello)], 150_000);
    expect(s.exit, s.stderr).toBe(0);
    // The ROM only: no stub uploaded, no stub-only command, and no FLASH_END (it would make the ROM leave the loader).
    expect(s.wire.ops.MEM_END ?? 0).toBe(0);
    expect(Object.keys(s.wire.ops).filter((op) => /^(ERASE_|READ_FLASH$|FLASH_DEFL_END|FLASH_END)/.test(op))).toEqual([]);
    afterFlash = rig.qemu.readFlash();
    expect(differingSectors(afterFlash, hello)).toEqual([]);
    // The ROM erases what FLASH_BEGIN announces: it must stay inside the images.
    expect(sectorsCovered(s.wire.begins).filter((a) => !helloSectors.includes(a))).toEqual([]);
  }, 180_000);

  // Fails today: the ESP32 ROM's compressed write (FLASH_DEFL_*) programs whole 32 KiB units from
  // the region's start whatever size FLASH_DEFL_BEGIN announced, so the tail of each unit lands
  // past the region — here 0x9000–0xF000 (after the partition table) and 0x2F000 (after the app)
  // — while plain FLASH_BEGIN/FLASH_DATA writes exactly the region (seen with raw requests on this
  // rig). A flasher must not use the compressed path with this ROM unless the region is a whole
  // number of 32 KiB units.
  it("nothing outside the images changed (the ROM's compressed writes must not spill past a region)", () => {
    expect(afterFlash, "the flash test above did not get as far as reading the flash").toBeDefined();
    expect(dirtyOutside(afterFlash!, hello)).toEqual([]);
  });

  it("verify through the ROM's digests: exit 0, nothing written", async () => {
    const s = await rig.run("rom verify hello", ["verify", ...pairArgs(hello)], 90_000);
    expect(s.exit, s.stderr).toBe(0);
    expect(s.wire.ops.SPI_FLASH_MD5).toBeGreaterThan(0);
    expect(sectorsCovered(s.wire.begins)).toEqual([]);
  }, 120_000);

  it("read of the partition table through READ_FLASH_SLOW equals partition-table.bin", async () => {
    const table = hello[1]!;
    const size = readFileSync(table.file).length;
    const file = path.join(out, "pt-read.bin");
    const s = await rig.run("rom read partition table", ["read", "0x8000", String(size), file], 90_000);
    expect(s.exit, s.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(file), readFileSync(table.file))).toBe(0);
    // 64 bytes per request (PROTOCOL.md §2): at least size / 64 of them.
    expect(s.wire.ops.READ_FLASH_SLOW ?? 0).toBeGreaterThanOrEqual(size / 64);
  }, 120_000);
});
