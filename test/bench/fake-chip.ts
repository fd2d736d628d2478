/**
 * An instant in-memory Device for measuring the engine's host cost alone: digests come from a byte
 * array, writes copy into it. No protocol, no timing; its own CPU is excluded by the CpuMeter.
 */
import { createHash } from "node:crypto";
import type { ChipDescription, Device, WriteOptions, WriteStats } from "../../src/protocol/device.js";

/** A Device over `flash` (modified in place). */
export function memoryDevice(flash: Uint8Array): Device {
  const chip: ChipDescription = {
    chip: "esp32",
    description: "ESP32-D0WD-V3 (revision v3.0)",
    revisionFull: 300,
    features: [],
    crystalMhz: 40,
    mac: "24:0a:c4:00:00:01",
    flashId: 0x1640c8,
    flashSizeBytes: flash.length,
    stub: true,
  };
  const md5 = async (addr: number, sizeBytes: number): Promise<Uint8Array> => new Uint8Array(createHash("md5").update(flash.subarray(addr, addr + sizeBytes)).digest());
  return {
    chip,
    md5,
    md5Many: async (ranges) => Promise.all(ranges.map((r) => md5(r.addr, r.sizeBytes))),
    write: async (addr: number, data: Uint8Array, options?: WriteOptions): Promise<WriteStats> => {
      const end = Math.ceil((addr + data.length) / 4096) * 4096;
      flash.fill(0xff, addr, end);
      flash.set(data, addr);
      return { writtenBytes: data.length, sentBytes: options?.compressed?.length ?? data.length, compressed: options?.compressed !== undefined };
    },
    eraseRegion: async (addr: number, sizeBytes: number) => {
      flash.fill(0xff, addr, addr + sizeBytes);
    },
    eraseAll: async () => {
      flash.fill(0xff);
    },
    read: async (addr: number, sizeBytes: number) => flash.slice(addr, addr + sizeBytes),
    finish: async () => undefined,
    close: async () => undefined,
  };
}
