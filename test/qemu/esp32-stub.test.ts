/**
 * espsync against the real ESP32 mask ROM and the real flasher stub under Espressif's QEMU, over
 * socket:// at --baud 921600: info, flashing the IDF hello set, an unchanged re-flash, verify, read,
 * erase-region, erase. What was erased and written is counted on the wire by the proxy in front of
 * QEMU; the end state is read from QEMU's flash file and compared with the image files. Skipped,
 * with the reason, without ../shared.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { differingSectors, dirtyOutside, helloSet, imageSectors, pairArgs, sectorsWithData, type Placed } from "./firmware-images.js";
import { qemuUnavailable } from "./qemu-env.js";
import { FLASH_BYTES } from "./qemu-instance.js";
import { startRig, type QemuRig } from "./qemu-rig.js";
import { sectorsCovered } from "./wire-tally.js";

const why = qemuUnavailable("esp32");
if (why !== undefined) console.log(`QEMU ESP32 stub suite skipped: ${why}`);
const suite = why === undefined ? describe : describe.skip;

suite(`ESP32 ROM + stub under QEMU, socket:// at 921600${why === undefined ? "" : ` (skipped: ${why})`}`, () => {
  // Filled in beforeAll: a skipped suite still runs this body, and must not touch ../shared.
  let rig: QemuRig;
  let out = "";
  let hello: Placed[] = [];

  beforeAll(async () => {
    out = mkdtempSync(path.join(tmpdir(), "espsync-qemu-out-"));
    hello = helloSet("esp32");
    rig = await startRig("esp32", { connection: ["--baud", "921600"] });
  }, 130_000); // up to three ports tried, 40 s each
  afterAll(async () => {
    await rig?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  }, 30_000);

  it("info: an ESP32, with the MAC start-qemu.sh derives from the port", async () => {
    const s = await rig.run("info", ["info", "--json"], 30_000);
    expect(s.exit, s.stderr).toBe(0);
    const chip = (JSON.parse(s.stdout) as { boards: { chip: { chip: string; mac: string } }[] }).boards[0]?.chip;
    const port = rig.qemu.port;
    const mac = ["24", "0a", "c4", "00", (port >> 8).toString(16), (port & 0xff).toString(16)].map((b) => b.padStart(2, "0")).join(":");
    expect(chip?.chip).toBe("esp32");
    expect(chip?.mac).toBe(mac);
    // The ROM answers everything info needs: no stub upload (MEM_BEGIN), and nothing touched the flash.
    expect(s.wire.ops.MEM_BEGIN ?? 0).toBe(0);
    expect(sectorsCovered(s.wire.begins)).toEqual([]);
  }, 45_000);

  it("flashes the IDF v5.2 hello set onto erased flash: the flash holds the files, nothing outside them changed", async () => {
    const s = await rig.run("flash hello", ["flash", ...pairArgs(hello)], 90_000);
    expect(s.exit, s.stderr).toBe(0);
    // --baud given over socket:// must reach the chip: QEMU paces its UART by the chip's divisor.
    expect(s.wire.ops.CHANGE_BAUDRATE).toBe(1);
    const flash = rig.qemu.readFlash();
    expect(differingSectors(flash, hello)).toEqual([]);
    expect(dirtyOutside(flash, hello)).toEqual([]);
    // Every sector holding data was written, none outside the images (all-0xFF sectors may be skipped).
    const written = sectorsCovered(s.wire.begins);
    const withData = sectorsWithData(hello);
    expect(written.filter((a) => withData.includes(a))).toEqual(withData);
    const inImages = imageSectors(hello);
    expect(written.filter((a) => !inImages.includes(a))).toEqual([]);
    expect(s.wire.eraseFlash).toBe(0);
  }, 120_000);

  it("an unchanged re-flash writes and erases nothing (counted on the wire)", async () => {
    const before = rig.qemu.readFlash();
    const s = await rig.run("re-flash hello", ["flash", ...pairArgs(hello)], 60_000);
    expect(s.exit, s.stderr).toBe(0);
    const written = sectorsCovered(s.wire.begins);
    console.log(`[qemu esp32] unchanged re-flash: ${written.length} sectors written on the wire, ${sectorsCovered(s.wire.eraseRegions).length} erased`);
    expect(written).toEqual([]);
    expect(s.wire.eraseRegions).toEqual([]);
    expect(s.wire.eraseFlash).toBe(0);
    expect(s.wire.ops.FLASH_DEFL_DATA ?? 0).toBe(0);
    expect(s.wire.ops.FLASH_DATA ?? 0).toBe(0);
    expect(Buffer.compare(rig.qemu.readFlash(), before)).toBe(0);
  }, 90_000);

  it("verify: exit 0 on the hello set; exit 4 against v5.1, naming the sectors that differ in the files", async () => {
    const same = await rig.run("verify hello", ["verify", ...pairArgs(hello)], 60_000);
    expect(same.exit, same.stderr).toBe(0);

    const older = helloSet("esp32", "v5.1");
    const expected = differingSectors(rig.qemu.readFlash(), older);
    expect(expected.length).toBeGreaterThan(0); // the builds differ: the check is not vacuous
    const diff = await rig.run("verify hello v5.1", ["verify", ...pairArgs(older), "--json"], 60_000);
    expect(diff.exit, diff.stderr).toBe(4);
    const regions = (JSON.parse(diff.stdout) as { boards: { result: { regions: { differingSectorAddrs: number[] }[] } }[] }).boards[0]?.result.regions ?? [];
    expect(regions.flatMap((r) => r.differingSectorAddrs).sort((a, b) => a - b)).toEqual(expected);
    for (const s of [same, diff]) {
      expect(s.wire.begins.filter((b) => b.sizeBytes > 0)).toEqual([]);
      expect(s.wire.eraseRegions).toEqual([]);
    }
  }, 150_000);

  it("read: the bootloader read back equals bootloader.bin", async () => {
    const boot = hello[0]!;
    const size = readFileSync(boot.file).length;
    const file = path.join(out, "boot-read.bin");
    const s = await rig.run("read bootloader", ["read", "0x1000", String(size), file], 60_000);
    expect(s.exit, s.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(file), readFileSync(boot.file))).toBe(0);
    expect(s.wire.ops.READ_FLASH).toBeGreaterThan(0);
  }, 90_000);

  it("erase-region 0x8000 0x1000: exactly the partition-table sector is erased", async () => {
    const before = rig.qemu.readFlash();
    const s = await rig.run("erase-region", ["erase-region", "0x8000", "0x1000"], 30_000);
    expect(s.exit, s.stderr).toBe(0);
    expect(sectorsCovered(s.wire.eraseRegions)).toEqual([0x8000]);
    expect(sectorsCovered(s.wire.begins)).toEqual([]);
    const after = rig.qemu.readFlash();
    expect(after.subarray(0x8000, 0x9000).every((b) => b === 0xff)).toBe(true);
    before.fill(0xff, 0x8000, 0x9000);
    expect(Buffer.compare(after, before)).toBe(0);
  }, 60_000);

  it("erase: the whole chip reads 0xFF", async () => {
    const s = await rig.run("erase", ["erase"], 60_000);
    expect(s.exit, s.stderr).toBe(0);
    expect(s.wire.eraseFlash).toBe(1);
    const flash = rig.qemu.readFlash();
    expect(flash.length).toBe(FLASH_BYTES);
    expect(flash.every((b) => b === 0xff)).toBe(true);
  }, 90_000);
});

