/**
 * The library's documented sequence, through the public entry point only (what a program that
 * imports espsync does), against the virtual chip.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { connect, flash, openPort, readImageSet, validateImageSet } from "../src/index.js";

const DEMO = new URL("../fixtures/demo/", import.meta.url);

describe("library API", () => {
  it("reads, validates, connects, flashes the demo build and leaves the chip booting it", async () => {
    const images = await readImageSet({ flasherArgs: new URL("flasher_args.json", DEMO).pathname });
    validateImageSet(images);
    const port = openPort("sim:esp32c3?flash=4MB&seed=11");
    const device = await connect(port, { baudRate: 921600 });
    const result = await flash({ device, images });
    await device.finish("hard_reset");

    expect(result.ok).toBe(true);
    expect(result.regions.map((r) => [r.addr, r.outcome])).toEqual([
      [0x0, "full"],
      [0x8000, "full"],
      [0x10000, "full"],
    ]);
    // The chip's flash now holds each file at its address (the sim port exposes the virtual chip).
    const chip = (port as unknown as { chip: { mode: string; flash: { bytes: Uint8Array } } }).chip;
    expect(chip.mode).toBe("app");
    const flashBytes = chip.flash.bytes;
    for (const [addr, name] of [[0x0, "bootloader.bin"], [0x8000, "partition-table.bin"], [0x10000, "espsync-demo.bin"]] as const) {
      const file = readFileSync(new URL(name, DEMO));
      const md5 = (b: Uint8Array): string => createHash("md5").update(b).digest("hex");
      expect(md5(flashBytes.subarray(addr, addr + file.length)), name).toBe(md5(file));
    }
  });
});
