/** The request switches, security refusals, interruption and `verify`, against the Device test double. */
import { describe, expect, it } from "vitest";
import { flash, verify } from "../../src/engine/index.js";
import { EspsyncError } from "../../src/errors.js";
import { costModelForBaud, type CacheEntry } from "../../src/plan/index.js";
import type { SecurityState } from "../../src/protocol/device.js";
import { FakeDevice } from "./fake-device.js";
import { dataSet, EXACT, eventLog, flip, md5, MemoryCache, SECTOR, seededBytes } from "./helpers.js";

const FLASH_BYTES = 0x80000;
const COST = costModelForBaud(460800, { sameFractionPrior: 1 });
const A = 0x20000;
const SIZE = 32 * SECTOR;

/** Chip holding `old` at A; target = old with sectors `changed` altered. */
function scenario(changed: readonly number[]): { chip: Uint8Array; old: Uint8Array; target: Uint8Array } {
  const old = seededBytes(5, SIZE);
  const chip = new Uint8Array(FLASH_BYTES).fill(0xff);
  chip.set(old, A);
  const target = Uint8Array.from(old);
  for (const s of changed) flip(target, s * SECTOR + 1, 0xff);
  return { chip, old, target };
}

const security = (over: Partial<SecurityState>): SecurityState => ({ flags: 0, flashCryptCount: 0, flashEncryption: false, secureBoot: false, secureDownloadMode: false, ...over });

describe("request switches", () => {
  it("dry run probes and plans but writes and erases nothing", async () => {
    const { chip, target } = scenario([4, 20]);
    const before = Uint8Array.from(chip);
    const dev = new FakeDevice(chip);
    const cache = new MemoryCache();
    const result = await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), cost: COST, planOptions: EXACT, dryRun: true, cache });
    expect(result.dryRun).toBe(true);
    expect(result.plan.regions[0]?.runs).toEqual([
      { addr: A + 4 * SECTOR, sizeBytes: SECTOR, action: "write" },
      { addr: A + 20 * SECTOR, sizeBytes: SECTOR, action: "write" },
    ]);
    expect(result.regions[0]).toMatchObject({ outcome: "selective", sectorsWritten: 2, writtenBytes: 0 });
    expect(result.regions[0]?.verifiedMd5).toBeUndefined();
    expect(dev.calls.filter((c) => !c.startsWith("md5"))).toEqual([]);
    expect(Buffer.compare(chip, before)).toBe(0);
    expect(cache.saves).toBe(0);
  });

  it("noDelta asks no digest before writing and rewrites every sector", async () => {
    const { chip, target } = scenario([4]);
    const dev = new FakeDevice(chip);
    const result = await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), noDelta: true });
    expect(dev.calls[0]).toBe(`write ${A}+${SIZE}`);
    expect(dev.erasedSet().length).toBe(32);
    expect(dev.bytesProgrammed).toBe(SIZE);
    expect(dev.md5Asked).toEqual([{ addr: A, sizeBytes: SIZE }]); // the verification only
    expect(result.regions[0]).toMatchObject({ outcome: "full", sectorsWritten: 32, verifiedMd5: md5(target) });
  });

  it("eraseAll erases the chip first, then writes the regions whole without probing", async () => {
    const { chip, target } = scenario([4]);
    chip.fill(0x12, 0x70000, 0x71000); // outside every region: erased by eraseAll only
    const dev = new FakeDevice(chip);
    const cache = new MemoryCache();
    cache.entries = [{ mac: dev.chip.mac, addr: 0x60000, sizeBytes: SECTOR, regionMd5: "0".repeat(32), sectorMd5s: "0".repeat(32) }];
    const { events, onEvent } = eventLog();
    await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), eraseAll: true, cache, onEvent });
    expect(dev.calls.slice(0, 2)).toEqual(["eraseAll", `write ${A}+${SIZE}`]);
    expect(chip.subarray(0x70000, 0x71000).every((b) => b === 0xff)).toBe(true);
    expect(Buffer.compare(chip.subarray(A, A + SIZE), target)).toBe(0);
    expect(events.find((e) => e.type === "erase")).toEqual({ type: "erase", region: -1, addr: 0, sizeBytes: FLASH_BYTES });
    // The erased chip invalidates every entry of this chip; the fresh region is recorded.
    expect(cache.entries.map((e) => e.addr)).toEqual([A]);
  });

  it("noVerify warns, asks no digest after writing and drops the region's cache entry", async () => {
    const { chip, target } = scenario([4]);
    const dev = new FakeDevice(chip);
    const cache = new MemoryCache();
    const stale: CacheEntry = { mac: dev.chip.mac, addr: A, sizeBytes: SIZE, regionMd5: "1".repeat(32), sectorMd5s: "1".repeat(32 * 32) };
    const other: CacheEntry = { mac: "24:0a:c4:99:99:99", addr: A, sizeBytes: SIZE, regionMd5: "2".repeat(32), sectorMd5s: "2".repeat(32 * 32) };
    cache.entries = [stale, other];
    const { events, onEvent } = eventLog();
    const result = await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), cost: COST, planOptions: EXACT, noVerify: true, cache, onEvent });
    expect(events.some((e) => e.type === "warning" && e.message.includes("--no-verify"))).toBe(true);
    const lastWrite = dev.calls.findLastIndex((c) => c.startsWith("write"));
    expect(dev.calls.slice(lastWrite + 1).filter((c) => c.startsWith("md5"))).toEqual([]);
    expect(result.regions[0]?.verifiedMd5).toBeUndefined();
    expect(cache.entries).toEqual([other]);
    expect(Buffer.compare(chip.subarray(A, A + SIZE), target)).toBe(0);
  });

  it("a stale cache entry never causes a skip: the chip's region digest decides", async () => {
    const { chip, old, target } = scenario([7]);
    const dev = new FakeDevice(chip);
    const cache = new MemoryCache();
    // The cache claims the chip holds the target (it does not: someone flashed `old` meanwhile).
    const sectors = Array.from({ length: 32 }, (_, i) => md5(target.subarray(i * SECTOR, (i + 1) * SECTOR))).join("");
    cache.entries = [{ mac: dev.chip.mac, addr: A, sizeBytes: SIZE, regionMd5: md5(target), sectorMd5s: sectors }];
    expect(md5(old)).not.toBe(md5(target));
    await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), cost: COST, planOptions: EXACT, cache });
    expect(Buffer.compare(chip.subarray(A, A + SIZE), target)).toBe(0);
    expect(dev.erasedSet()).toEqual([A + 7 * SECTOR]);
  });

  it("without the stub, erase-only runs are written as 0xFF (ERASE_REGION is stub-only), uncompressed (the ROM gets plain writes)", async () => {
    const { chip, old } = scenario([]);
    const target = Uint8Array.from(old);
    target.fill(0xff, 3 * SECTOR, 4 * SECTOR);
    const dev = new FakeDevice(chip, { chip: { stub: false } });
    await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), cost: COST, planOptions: EXACT });
    expect(dev.calls.filter((c) => c.startsWith("erase") || c.startsWith("write"))).toEqual([`write ${A + 3 * SECTOR}+${SECTOR}`]);
    expect(chip.subarray(A + 3 * SECTOR, A + 4 * SECTOR).every((b) => b === 0xff)).toBe(true);
  });
});

describe("security state", () => {
  it("refuses delta and full writes with flash encryption on, touching nothing", async () => {
    for (const noDelta of [false, true]) {
      const { chip, target } = scenario([1]);
      const dev = new FakeDevice(chip, { chip: { chip: "esp32c3", security: security({ flashEncryption: true, flashCryptCount: 1 }) } });
      const images = dataSet([{ addr: A, bytes: target }]);
      const err = await flash({ device: dev, images, noDelta }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EspsyncError);
      expect((err as EspsyncError).code).toBe("FLASH_ENCRYPTED");
      expect((err as EspsyncError).message).toMatch(/encrypted flash and cannot be compared/);
      expect((err as EspsyncError).hint).toMatch(/--no-delta/);
      expect(dev.calls).toEqual([]);
    }
  });

  it("refuses delta in Secure Download Mode, and with noDelta writes whole, uncompressed, unverified, with a warning", async () => {
    const { chip, target } = scenario([1]);
    const dev = new FakeDevice(chip, { chip: { stub: false, security: security({ secureDownloadMode: true, flags: 4 }) } });
    const images = dataSet([{ addr: A, bytes: target }]);
    const err = await flash({ device: dev, images }).catch((e: unknown) => e);
    expect((err as EspsyncError).code).toBe("SECURE_DOWNLOAD_MODE");
    expect((err as EspsyncError).hint).toMatch(/--no-delta/);
    expect(dev.calls).toEqual([]);
    const eraseAll = await flash({ device: dev, images, noDelta: true, eraseAll: true }).catch((e: unknown) => e);
    expect((eraseAll as EspsyncError).code).toBe("SECURE_DOWNLOAD_MODE");

    const { events, onEvent } = eventLog();
    const result = await flash({ device: dev, images, noDelta: true, onEvent });
    expect(dev.calls).toEqual([`write ${A}+${SIZE}`]);
    expect(result.regions[0]?.verifiedMd5).toBeUndefined();
    expect(events.some((e) => e.type === "warning" && /Secure Download Mode/.test(e.message))).toBe(true);
    expect(Buffer.compare(chip.subarray(A, A + SIZE), target)).toBe(0);
  });
});

describe("interruption", () => {
  it("stops at a block boundary with INTERRUPTED, and a re-run writes only what is left", async () => {
    const old = seededBytes(5, SIZE);
    const chip = new Uint8Array(FLASH_BYTES).fill(0xff);
    chip.set(old, A);
    const target = seededBytes(6, SIZE); // every sector differs: one 128 KiB run, 8 blocks of 16 KiB
    const images = dataSet([{ addr: A, bytes: target }]);
    const dev = new FakeDevice(chip);
    const abort = new AbortController();
    dev.onBlock = () => {
      if (dev.blocksWritten === 3) abort.abort();
    };
    const err = await flash({ device: dev, images, cost: COST, planOptions: EXACT, signal: abort.signal }).catch((e: unknown) => e);
    expect((err as EspsyncError).code).toBe("INTERRUPTED");
    expect((err as EspsyncError).message).toContain(`wrote ${3 * 0x4000} of ${SIZE} planned bytes`);
    expect((err as EspsyncError).message).toContain("Running the same command again finishes the job");
    expect(dev.bytesProgrammed).toBe(3 * 0x4000);
    // Nothing past the third block was touched.
    expect(Buffer.compare(chip.subarray(A + 3 * 0x4000, A + SIZE), old.subarray(3 * 0x4000))).toBe(0);

    const rerun = new FakeDevice(chip);
    await flash({ device: rerun, images, cost: COST, planOptions: EXACT });
    expect(Buffer.compare(chip.subarray(A, A + SIZE), target)).toBe(0);
    expect(rerun.bytesProgrammed).toBe(SIZE - 3 * 0x4000);
    expect(rerun.erasedSet()[0]).toBe(A + 3 * 0x4000);
  });

  it("an abort before anything is written says the flash is unchanged", async () => {
    const { chip, target } = scenario([2]);
    const dev = new FakeDevice(chip);
    const abort = new AbortController();
    abort.abort();
    const err = await flash({ device: dev, images: dataSet([{ addr: A, bytes: target }]), signal: abort.signal }).catch((e: unknown) => e);
    expect((err as EspsyncError).code).toBe("INTERRUPTED");
    expect((err as EspsyncError).message).toContain("nothing was written");
    expect(dev.bytesProgrammed).toBe(0);
  });
});

describe("verify", () => {
  it("lists exactly the differing sectors per region and writes nothing", async () => {
    const { chip, target } = scenario([0, 17, 18, 31]);
    const second = seededBytes(8, 3 * SECTOR);
    chip.set(second, 0x60000);
    const before = Uint8Array.from(chip);
    const dev = new FakeDevice(chip);
    const result = await verify({ device: dev, images: dataSet([{ addr: A, bytes: target }, { addr: 0x60000, bytes: second }]) });
    expect(result.ok).toBe(false);
    expect(result.regions.map((r) => [r.match, r.differingSectorAddrs])).toEqual([
      [false, [A, A + 17 * SECTOR, A + 18 * SECTOR, A + 31 * SECTOR]],
      [true, []],
    ]);
    expect(result.regions[0]?.actualMd5).toBe(md5(before.subarray(A, A + SIZE)));
    expect(result.regions[1]?.actualMd5).toBe(md5(second));
    expect(dev.calls.filter((c) => !c.startsWith("md5"))).toEqual([]);
    expect(Buffer.compare(chip, before)).toBe(0);
  });
});
