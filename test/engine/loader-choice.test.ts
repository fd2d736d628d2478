/**
 * Who writes, stub or ROM: decided from the probe's findings, the link's measured round trip and
 * the stub's size. The chip's digests come from an independent MD5 over a byte array.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { chooseLoader } from "../../src/engine/loader-choice.js";
import { costModelForBaud, startProbe, ROM_EXCHANGES, withRoundTrip, type TargetRegion } from "../../src/plan/index.js";
import type { ChipDescription } from "../../src/protocol/device.js";
import { runProbe } from "../plan/probe-loop.js";

const SECTOR = 0x1000;
const ADDR = 0x10000;
/** A 1.7 MiB application-sized region whose content compresses like code (halves). */
const SECTORS = 419;
const STUB_BYTES = 6700;
const MODE = { digests: true, compressed: true, eraseRegion: true };

function codeLike(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const noise = randomBytes(bytes / 2);
  for (let i = 0; i < bytes; i += 2) out[i] = noise[i / 2] as number; // every other byte zero
  return out;
}

/** The region and a flash where `changed` of its sectors differ. */
function scene(changed: readonly number[]): { regions: TargetRegion[]; flash: Uint8Array } {
  const data = codeLike(SECTORS * SECTOR);
  const flash = new Uint8Array(ADDR + data.length).fill(0xff);
  flash.set(data, ADDR);
  for (const s of changed) flash[ADDR + s * SECTOR + 7] = (flash[ADDR + s * SECTOR + 7] as number) ^ 0x5a;
  return { regions: [{ addr: ADDR, data }], flash };
}

function chip(roundTripS: number, romWrites: boolean): ChipDescription {
  return {
    chip: "esp32", description: "ESP32", revisionFull: 300, features: [], crystalMhz: 40, mac: "24:0a:c4:00:00:01", flashId: 0x1640c8, flashSizeBytes: 4 << 20,
    stub: true,
    link: { kind: "uart", baudRate: 921600, roundTripS },
    ...(romWrites && { romWrites: { baudRate: 921600, stubBytes: STUB_BYTES } }),
  };
}

function decide(changed: readonly number[], roundTripS: number, options: { romWrites?: boolean; writeLoader?: "auto" | "stub" | "rom" } = {}) {
  const { regions, flash } = scene(changed);
  // The engine's model for this link: the ROM answers the probe's digests, the stub would write.
  const cost = withRoundTrip(costModelForBaud(921600), roundTripS, { ...ROM_EXCHANGES, writeBlockBytes: 0x4000, exchangesPerRun: 2 });
  const probed = runProbe(startProbe(regions, { cost }), flash).state;
  return chooseLoader(probed, { chip: chip(roundTripS, options.romWrites ?? true) }, MODE, { writeLoader: options.writeLoader });
}

describe("chooseLoader", () => {
  it("a few sectors over a 44 ms round trip go through the ROM: plain, no ERASE_REGION, no upload", () => {
    const choice = decide([15, 31, 85, 132, 418], 0.044);
    expect(choice.viaRom).toBe(true);
    expect(choice.mode).toEqual({ digests: true, compressed: false, eraseRegion: false });
    expect(choice.plan.regions[0]?.runs.map((r) => r.addr)).toEqual([15, 31, 85, 132, 418].map((s) => ADDR + s * SECTOR));
    expect(choice.predictedS.rom).toBeLessThan(choice.predictedS.stub);
  });

  it("a large change goes through the stub, which sends it compressed", () => {
    const changed = Array.from({ length: 200 }, (_, i) => i * 2);
    const choice = decide(changed, 0.044);
    expect(choice.viaRom).toBe(false);
    expect(choice.mode.compressed).toBe(true);
    expect(choice.predictedS.stub).toBeLessThan(choice.predictedS.rom ?? 0);
  });

  it("the same few sectors on a 2 ms USB-UART round trip cost about the same either way; a dozen go through the stub", () => {
    const few = decide([15, 31, 85, 132, 418], 0.002);
    expect(Math.abs((few.predictedS.rom ?? 0) - few.predictedS.stub)).toBeLessThan(0.25 * few.predictedS.stub);
    const dozen = decide(Array.from({ length: 12 }, (_, i) => 20 * i + 3), 0.002);
    expect(dozen.viaRom).toBe(false);
  });

  it("without the ROM on offer (stub running, --no-stub, Secure Download Mode), or when told to, the stub plan stands", () => {
    expect(decide([15], 0.044, { romWrites: false })).toMatchObject({ viaRom: false, mode: MODE });
    expect(decide([15], 0.044, { writeLoader: "stub" })).toMatchObject({ viaRom: false, mode: MODE });
    expect(decide(Array.from({ length: 200 }, (_, i) => i * 2), 0.044, { writeLoader: "rom" }).viaRom).toBe(true);
  });

  it("nothing to write: no loader decision, no upload", () => {
    const choice = decide([], 0.044);
    expect(choice.viaRom).toBe(false);
    expect(choice.plan.totals.writeBytes).toBe(0);
    expect(choice.predictedS.rom).toBeUndefined();
  });
});
