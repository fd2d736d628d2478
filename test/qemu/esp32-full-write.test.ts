/**
 * One genuine full write through the real ESP32 stub under QEMU at 921600: the 1.7 MiB MicroPython
 * image 0484727 onto a freshly booted, erased chip. Every other large case in the suite starts
 * from a flash file seeded before boot; this one proves the whole image really crosses the link
 * and lands in flash. Its own QEMU instance, so it runs beside the other ESP32 files.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { differingSectors, dirtyOutside, micropython, pairArgs, sectorsWithData } from "./firmware-images.js";
import { qemuUnavailable } from "./qemu-env.js";
import { startRig, type QemuRig } from "./qemu-rig.js";
import { sectorsCovered } from "./wire-tally.js";

const why = qemuUnavailable("esp32");
if (why !== undefined) console.log(`QEMU ESP32 full-write test skipped: ${why}`);
const suite = why === undefined ? describe : describe.skip;

suite(`ESP32 stub under QEMU: a full 1.7 MiB write at 921600${why === undefined ? "" : ` (skipped: ${why})`}`, () => {
  let rig: QemuRig;

  beforeAll(async () => {
    rig = await startRig("esp32", { connection: ["--baud", "921600"] });
  }, 130_000); // up to three ports tried, 40 s each
  afterAll(async () => {
    await rig?.stop();
  }, 30_000);

  it("MicroPython 0484727 onto the erased chip: every sector holding data is written and lands in flash", async () => {
    const image = micropython("0484727");
    const s = await rig.run("flash micropython full", ["flash", ...pairArgs([image])], 200_000);
    expect(s.exit, s.stderr).toBe(0);
    const flash = rig.qemu.readFlash();
    expect(differingSectors(flash, [image])).toEqual([]);
    expect(dirtyOutside(flash, [image])).toEqual([]);
    // Written on the wire: every sector of the image that is not blank (blank ones already match).
    const withData = sectorsWithData([image]);
    const written = sectorsCovered(s.wire.begins);
    expect(written.filter((a) => withData.includes(a))).toEqual(withData);
    expect(written.filter((a) => a < image.addr || a >= image.addr + image.bytes.length)).toEqual([]);
    expect(withData.length).toBeGreaterThan(400); // nearly all of the 419 sectors: a full write indeed
  }, 240_000);
});
