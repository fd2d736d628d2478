/**
 * A write fails at once — not after the block's acknowledgement timeout — when the link closes or
 * the chip resets mid-write (power loss: half a packet programmed, the chip boots its application).
 * The timeouts here are a minute long and the tests' own limit is far shorter, so a test that
 * passes proves the Device did not wait for a timeout. A plain re-run then converges.
 */
import { afterEach, describe, expect, it } from "vitest";
import { flash } from "../../src/engine/index.js";
import { EspsyncError } from "../../src/errors.js";
import { costModelForBaud } from "../../src/plan/index.js";
import type { ConnectOptions, Device } from "../../src/protocol/index.js";
import { dataSet, EXACT, seededBytes } from "../engine/helpers.js";
import { bytesChangedOutside, connectTo, differingSectors, erasedSectors, FAST_CONNECT, noisyChip, SECTOR } from "./sim-rig.js";

const SLOW: ConnectOptions = { ...FAST_CONNECT, timeouts: { defaultMs: 60_000, minMs: 60_000 } };
const ADDR = 0x80000;
const BYTES = 32 * SECTOR;
const COST = costModelForBaud(921600, { sameFractionPrior: 1 });
const open: Device[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close().catch(() => undefined);
});

/** 128 KiB of noise: 8 uncompressed 16 KiB blocks. */
const DATA = seededBytes(42, BYTES);

describe("a write ends at once when the link is lost", () => {
  it("link closed before the 3rd data block: PORT_CLOSED naming the block and its address", async () => {
    const chip = noisyChip(1);
    const device = await connectTo(chip, SLOW);
    open.push(device);
    chip.faults.add({ kind: "disconnect", op: 0x03, nth: 3 });
    const err = await device.write(ADDR, DATA).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EspsyncError);
    expect((err as EspsyncError).code).toBe("PORT_CLOSED");
    expect((err as EspsyncError).message).toBe("the port closed during write of 131072 bytes at 0x00080000: block 3/8 at 0x00088000");
  }, 8000);

  it("a link closed mid-run stops the flash saying what the chip acknowledged, never 'nothing was written'", async () => {
    const chip = noisyChip(6);
    const device = await connectTo(chip, SLOW);
    open.push(device);
    chip.faults.add({ kind: "disconnect", op: 0x03, nth: 3 });
    const set = dataSet([{ addr: ADDR, bytes: DATA }], "esp32c3");
    const err = await flash({ device, images: set, cost: COST, planOptions: EXACT, writeLoader: "stub" }).catch((e: unknown) => e);
    expect((err as EspsyncError).code).toBe("PORT_CLOSED");
    // Blocks 1 and 2 (16 KiB each) were acknowledged before the link closed at block 3.
    expect((err as EspsyncError).message).toMatch(/\(wrote 32768 of 131072 planned bytes; stopped in \S+ at 0x00080000, complete up to 0x00088000; the flash now holds part of the new images\)\. Running the same command again/);
  }, 8000);

  it.each([
    // At the ROM's rate the boot banner is readable and quoted.
    [115200, /^the chip reset during write of 131072 bytes at 0x00080000: block 3\/8 at 0x00088000: it printed its boot banner \("rst:0x1 \(POWERON\),boot:0x[0-9a-f]+ \(SPI_FAST_FLASH_BOOT\)"\) instead of answering$/],
    // At the transfer rate the same log arrives garbled: named as such.
    [921600, /^the chip stopped answering during write of 131072 bytes at 0x00080000: block 3\/8 at 0x00088000: \d+ bytes that are not loader replies arrived instead/],
  ])("power loss in the 3rd data block at %i baud: CHIP_RESET; the chip runs its app", async (baudRate, message) => {
    const chip = noisyChip(2);
    const before = chip.flash.bytes.slice();
    const device = await connectTo(chip, { ...SLOW, baudRate });
    open.push(device);
    chip.faults.add({ kind: "power-loss", op: 0x03, nth: 3 });
    const err = await device.write(ADDR, DATA).catch((e: unknown) => e);
    expect((err as EspsyncError).code).toBe("CHIP_RESET");
    expect((err as EspsyncError).message).toMatch(message);
    expect((err as EspsyncError).hint).toMatch(/power supply.*run the same command again/);
    expect(chip.mode).toBe("app");
    // Blocks 1–2 landed, block 3 half: nothing beyond the write's sectors changed.
    const allowed = new Set(Array.from({ length: 32 }, (_, i) => ADDR + i * SECTOR));
    expect(bytesChangedOutside(before, chip.flash.bytes, allowed)).toBe(0);
    expect(Buffer.compare(chip.flash.bytes.subarray(ADDR, ADDR + 0x8000), DATA.subarray(0, 0x8000))).toBe(0);
  }, 8000);

  it("after a power loss mid-flash, the engine reconnects by itself and the chip ends with the target", async () => {
    const chip = noisyChip(3);
    const device = await connectTo(chip, SLOW);
    open.push(device);
    chip.faults.add({ kind: "power-loss", op: 0x03, nth: 2 }); // noise does not compress: plain FLASH_DATA
    const warnings: string[] = [];
    const set = dataSet([{ addr: ADDR, bytes: DATA }], "esp32c3");
    // Through the stub (noise is written as cheaply by the ROM, which the planner would pick).
    await flash({ device, images: set, cost: COST, planOptions: EXACT, writeLoader: "stub", onEvent: (e) => e.type === "warning" && warnings.push(e.message) });
    expect(warnings).toEqual([expect.stringMatching(/^the chip stopped answering during write of 131072 bytes at 0x00080000: block 2\/8 at 0x00084000: .*trying once more$/)]);
    expect(Buffer.compare(chip.flash.bytes.subarray(ADDR, ADDR + BYTES), DATA)).toBe(0);
    expect(chip.mode).toBe("stub");
  }, 8000);

  it("ROM only (no stub): a lost block reply is recovered by re-sync and the run written again", async () => {
    const chip = noisyChip(5);
    const before = chip.flash.bytes.slice();
    const device = await connectTo(chip, { ...FAST_CONNECT, stub: false });
    open.push(device);
    chip.faults.add({ kind: "drop-response", op: 0x03, nth: 5 });
    const warnings: string[] = [];
    const set = dataSet([{ addr: ADDR, bytes: DATA }], "esp32c3");
    await flash({ device, images: set, cost: COST, planOptions: EXACT, onEvent: (e) => e.type === "warning" && warnings.push(e.message) });
    expect(warnings).toEqual([expect.stringMatching(/^no answer to write of 131072 bytes at 0x00080000: block 5\/32 at 0x00084000 within \d+ ms; .*trying once more$/)]);
    expect(Buffer.compare(chip.flash.bytes.subarray(ADDR, ADDR + BYTES), DATA)).toBe(0);
    const allowed = new Set(Array.from({ length: 32 }, (_, i) => ADDR + i * SECTOR));
    expect(bytesChangedOutside(before, chip.flash.bytes, allowed)).toBe(0);
  }, 8000);

  it("a power loss during the retry too stops with CHIP_RESET; the plain re-run writes only the sectors still different", async () => {
    const chip = noisyChip(4);
    const before = chip.flash.bytes.slice();
    const set = dataSet([{ addr: ADDR, bytes: DATA }], "esp32c3");
    const device = await connectTo(chip, SLOW);
    open.push(device);
    chip.faults.add({ kind: "power-loss", op: 0x03, nth: 2 });
    chip.faults.add({ kind: "power-loss", op: 0x03, nth: 4 }); // the retry's 2nd block (counted from now: 2 + 2)
    const err = await flash({ device, images: set, cost: COST, planOptions: EXACT }).catch((e: unknown) => e);
    expect((err as EspsyncError).code).toBe("CHIP_RESET");
    expect((err as EspsyncError).message).toMatch(/Running the same command again writes only what is still different$/);
    const left = differingSectors(ADDR, chip.flash.bytes.subarray(ADDR, ADDR + BYTES), DATA);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(32);
    chip.faults.clear();
    chip.flash.resetCounters();
    const again = await connectTo(chip, FAST_CONNECT);
    open.push(again);
    await flash({ device: again, images: set, cost: COST, planOptions: EXACT });
    expect(erasedSectors(chip)).toEqual(left);
    expect(Buffer.compare(chip.flash.bytes.subarray(ADDR, ADDR + BYTES), DATA)).toBe(0);
    const allowed = new Set(Array.from({ length: 32 }, (_, i) => ADDR + i * SECTOR));
    expect(bytesChangedOutside(before, chip.flash.bytes, allowed)).toBe(0);
  }, 8000);
});
