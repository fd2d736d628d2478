import { describe, expect, it } from "vitest";
import { buildPlan, cacheEntryFor, costModelForLink, expectedSameShare, startProbe, type CostModel } from "../../src/plan/index.js";
import { runProbe } from "./probe-loop.js";

const S = 0x1000;
/** Round numbers so expected times can be worked out by hand; raw bytes cross the link. */
const cost: CostModel = {
  linkBytesPerS: 10_000, runOverheadS: 0.01, digestLatencyS: 0.001, sectorEraseS: 0.05, blockEraseS: 0.2,
  pageProgramS: 0.001, md5BytesPerS: 1_000_000, sameFractionPrior: 0.1, compress: false,
};

/** Sector `i` of a recognisable non-0xFF pattern. */
function fillSectors(buf: Uint8Array, from: number, count: number, seed: number): void {
  for (let i = 0; i < count * S; i++) buf[from + i] = (seed * 131 + ((from + i) >> 12) * 17 + i * 7) % 251;
}

function flashWith(sizeBytes: number): Uint8Array {
  return new Uint8Array(sizeBytes).fill(0xff);
}

describe("buildPlan: whole plans", () => {
  it("identical region → skip after one whole-region digest", () => {
    const flash = flashWith(0x20000);
    fillSectors(flash, 0x10000, 2, 1);
    const data = flash.slice(0x10000, 0x12000);
    const { state, rounds } = runProbe(startProbe([{ addr: 0x10000, data }], { cost }), flash);
    expect(rounds).toBe(1);
    expect(buildPlan(state)).toEqual({
      regions: [{ addr: 0x10000, sizeBytes: 0x2000, outcome: "skip", differingSectors: [], unknownSectors: [], runs: [], predictedBytesToChip: 0, predictedTimeS: 0, probe: { queries: 1, readBytes: 0x2000 } }],
      totals: { skipped: 1, selective: 0, full: 0, writeBytes: 0, eraseBytes: 0, predictedBytesToChip: 0, predictedTimeS: 0, probeQueries: 1, probeReadBytes: 0x2000 },
    });
  });

  it("identical 1.5 MiB region with whole-first probing → one query", () => {
    const flash = flashWith(0x190000);
    fillSectors(flash, 0x10000, 384, 2);
    const { state } = runProbe(startProbe([{ addr: 0x10000, data: flash.slice(0x10000, 0x190000) }], { cost, firstProbe: "whole" }), flash);
    expect(buildPlan(state).totals).toMatchObject({ skipped: 1, probeQueries: 1, probeReadBytes: 0x180000 });
  });

  it("one sector differs in a 1.5 MiB region → 24 block, 4 part (16 KiB) and 4 sector digests, one sector written", () => {
    const flash = flashWith(0x190000);
    fillSectors(flash, 0x10000, 384, 3);
    const data = flash.slice(0x10000, 0x190000);
    fillSectors(data, 100 * S, 1, 9); // sector 100 (block 6) changes
    const { state, rounds } = runProbe(startProbe([{ addr: 0x10000, data }], { cost }), flash);
    expect(rounds).toBe(3);
    const time = 0.01 + 0.05 + 4096 / 10_000 + 16 * 0.001;
    expect(buildPlan(state)).toEqual({
      regions: [{
        addr: 0x10000, sizeBytes: 0x180000, outcome: "selective", differingSectors: [100], unknownSectors: [],
        runs: [{ addr: 0x10000 + 100 * S, sizeBytes: S, action: "write" }],
        predictedBytesToChip: S, predictedTimeS: expect.closeTo(time, 9), probe: { queries: 32, readBytes: 0x180000 + 0x10000 + 0x4000 },
      }],
      totals: { skipped: 0, selective: 1, full: 0, writeBytes: S, eraseBytes: 0, predictedBytesToChip: S, predictedTimeS: expect.closeTo(time, 9), probeQueries: 32, probeReadBytes: 0x194000 },
    });
  });

  it("everything differs → full write", () => {
    const flash = flashWith(0x20000);
    const data = new Uint8Array(3 * S);
    fillSectors(data, 0, 3, 4);
    const { state } = runProbe(startProbe([{ addr: 0x10000, data }], { cost }), flash);
    const plan = buildPlan(state);
    expect(plan.regions[0]).toEqual({
      addr: 0x10000, sizeBytes: 3 * S, outcome: "full", differingSectors: [0, 1, 2], unknownSectors: [],
      runs: [{ addr: 0x10000, sizeBytes: 3 * S, action: "write" }],
      predictedBytesToChip: 3 * S, predictedTimeS: expect.closeTo(0.01 + 3 * 0.05 + (3 * S) / 10_000 + 48 * 0.001, 9), probe: { queries: 4, readBytes: 6 * S },
    });
  });

  it("a target run of 0xFF over old data is only erased", () => {
    const flash = flashWith(0x20000);
    fillSectors(flash, 0x10000, 4, 5);
    const data = flash.slice(0x10000, 0x14000);
    data.fill(0xff, S, 3 * S);
    const { state } = runProbe(startProbe([{ addr: 0x10000, data }], { cost }), flash);
    expect(buildPlan(state).regions[0]).toMatchObject({
      outcome: "selective", differingSectors: [1, 2], runs: [{ addr: 0x11000, sizeBytes: 2 * S, action: "erase" }],
      predictedBytesToChip: 0, predictedTimeS: expect.closeTo(0.01 + 2 * 0.05, 9),
    });
  });

  it("merges runs across a gap when a run costs more than rewriting the gap, not when merging is off", () => {
    const dear = { ...cost, runOverheadS: 1 };
    const flash = flashWith(0x40000);
    fillSectors(flash, 0x20000, 16, 6);
    const data = flash.slice(0x20000, 0x30000);
    fillSectors(data, 2 * S, 1, 7);
    fillSectors(data, 4 * S, 1, 7);
    const { state } = runProbe(startProbe([{ addr: 0x20000, data }], { cost: dear }), flash);
    expect(buildPlan(state).regions[0]?.runs).toEqual([{ addr: 0x22000, sizeBytes: 3 * S, action: "write" }]);
    expect(buildPlan(state, { merge: false }).regions[0]?.runs).toEqual([
      { addr: 0x22000, sizeBytes: S, action: "write" },
      { addr: 0x24000, sizeBytes: S, action: "write" },
    ]);
  });

  it("widens runs to an aligned 64 KiB block when one block erase beats many sector erases", () => {
    const slowSectors = { ...cost, linkBytesPerS: 1e7, sectorEraseS: 0.2, blockEraseS: 0.3, pageProgramS: 0.0001, md5BytesPerS: 1e8, digestLatencyS: 0.0001 };
    const flash = flashWith(0x60000);
    fillSectors(flash, 0x40000, 32, 8);
    const data = flash.slice(0x40000, 0x60000);
    fillSectors(data, 0, 10, 9);
    fillSectors(data, 12 * S, 1, 9);
    const { state } = runProbe(startProbe([{ addr: 0x40000, data }], { cost: slowSectors }), flash);
    const plan = buildPlan(state);
    expect(plan.regions[0]).toMatchObject({
      outcome: "selective",
      differingSectors: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12],
      runs: [{ addr: 0x40000, sizeBytes: 0x10000, action: "write" }],
      predictedTimeS: expect.closeTo(0.01 + 0.3 + 0x10000 / 1e7 + 256 * 0.0001, 9),
    });
    // Without widening, eleven sector erases make a full rewrite (two block erases) the cheaper plan.
    expect(buildPlan(state, { widen: false }).regions[0]).toMatchObject({ outcome: "full", runs: [{ addr: 0x40000, sizeBytes: 0x20000, action: "write" }] });
    expect(buildPlan(state, { widen: false, fullFallback: false }).regions[0]?.runs).toEqual([
      { addr: 0x40000, sizeBytes: 10 * S, action: "write" },
      { addr: 0x4c000, sizeBytes: S, action: "write" },
    ]);
  });

  it("cache hit → sector states from the cache, no per-sector queries", () => {
    const flash = flashWith(0x190000);
    fillSectors(flash, 0x10000, 384, 10);
    const old = flash.slice(0x10000, 0x190000);
    const entry = cacheEntryFor({ addr: 0x10000, data: old }, "aa:bb:cc:dd:ee:ff");
    const data = Uint8Array.from(old);
    fillSectors(data, 5 * S, 1, 11);
    fillSectors(data, 300 * S, 1, 11);
    const start = startProbe([{ addr: 0x10000, data }], { cost, cache: [entry], mac: "aa:bb:cc:dd:ee:ff" });
    const { state, rounds } = runProbe(start, flash);
    expect(rounds).toBe(1);
    expect(buildPlan(state).regions[0]).toMatchObject({ outcome: "selective", differingSectors: [5, 300], probe: { queries: 1, readBytes: 0x180000 } });
    // Another chip's cache entry is not used.
    const other = runProbe(startProbe([{ addr: 0x10000, data }], { cost, cache: [entry], mac: "11:22:33:44:55:66" }), flash);
    expect(other.rounds).toBe(3); // blocks, parts, sectors
  });

  it("leaves a differing block unprobed (written whole) when reading it costs more than it can save", () => {
    const slowMd5 = { ...cost, md5BytesPerS: 10_000 };
    const flash = flashWith(0x30000);
    fillSectors(flash, 0x10000, 32, 12);
    const data = flash.slice(0x10000, 0x30000);
    fillSectors(data, 3 * S, 1, 13);
    const { state } = runProbe(startProbe([{ addr: 0x10000, data }], { cost: slowMd5, firstProbe: "blocks" }), flash);
    expect(buildPlan(state).regions[0]).toMatchObject({
      outcome: "selective", differingSectors: [], unknownSectors: [...Array(16).keys()],
      runs: [{ addr: 0x10000, sizeBytes: 0x10000, action: "write" }], probe: { queries: 2, readBytes: 0x20000 },
    });
  });
});

describe("probing rules", () => {
  it("always sector-probes a differing block holding 0xFF-target sectors: unknown, each would cost an erase", () => {
    const slowMd5 = { ...cost, md5BytesPerS: 10_000 };
    const flash = flashWith(0x30000);
    fillSectors(flash, 0x10000, 32, 14);
    const data = flash.slice(0x10000, 0x30000);
    data.fill(0xff, 20 * S, 21 * S); // sector 20 becomes blank; nothing else changes
    const { state } = runProbe(startProbe([{ addr: 0x10000, data }], { cost: slowMd5, firstProbe: "blocks" }), flash);
    // Reading block 1 sector by sector (6.6 s here) costs more than the prior expects to save, yet its
    // 16 sector digests are asked: one erase of sector 20 instead of rewriting and erasing the block.
    expect(buildPlan(state).regions[0]).toMatchObject({
      outcome: "selective", differingSectors: [20], unknownSectors: [],
      runs: [{ addr: 0x10000 + 20 * S, sizeBytes: S, action: "erase" }], probe: { queries: 2 + 16, readBytes: 0x20000 + 0x10000 },
    });
  });

  // Block digest 6.55 ms + 16 sector round trips of 1.5 ms = 30.6 ms per block; writing a block costs
  // 10 ms + 200 ms erase + 65.5 ms link + 256 ms programming = 531.5 ms.
  const fastLink = { ...cost, linkBytesPerS: 1_000_000, md5BytesPerS: 10_000_000, digestLatencyS: 0.0015 };

  it("when every block of a region differs, sectors are not probed: the region is written whole after one read", () => {
    const flash = flashWith(0x190000);
    fillSectors(flash, 0x10000, 384, 15);
    const data = new Uint8Array(0x180000);
    fillSectors(data, 0, 384, 16);
    const { state, rounds } = runProbe(startProbe([{ addr: 0x10000, data }], { cost: fastLink, firstProbe: "blocks" }), flash);
    // No block matched: expected unchanged share 1/26, saving 0.04 × 531.5 ms = 20 ms < 30.6 ms per block.
    expect(rounds).toBe(1);
    expect(buildPlan(state).regions[0]).toMatchObject({
      outcome: "full", differingSectors: [], unknownSectors: [...Array(384).keys()],
      runs: [{ addr: 0x10000, sizeBytes: 0x180000, action: "write" }], probe: { queries: 24, readBytes: 0x180000 },
    });
  });

  it("with most blocks unchanged, the same model does probe the sectors of a differing block", () => {
    const flash = flashWith(0x190000);
    fillSectors(flash, 0x10000, 384, 17);
    const data = flash.slice(0x10000, 0x190000);
    fillSectors(data, 40 * S, 1, 18); // sector 40 (block 2)
    const { state, rounds } = runProbe(startProbe([{ addr: 0x10000, data }], { cost: fastLink, firstProbe: "blocks" }), flash);
    // Prior share 0.1: saving 0.1 × 531.5 ms = 53 ms > 30.6 ms. One sector expected to differ: through the parts.
    expect(rounds).toBe(3);
    expect(buildPlan(state).regions[0]).toMatchObject({
      outcome: "selective", differingSectors: [40], unknownSectors: [], runs: [{ addr: 0x10000 + 40 * S, sizeBytes: S, action: "write" }],
      probe: { queries: 24 + 4 + 4, readBytes: 0x180000 + 0x10000 + 0x4000 },
    });
  });

  it("blocks expected to hold many differing sectors are asked sector by sector, not through their 16 KiB parts", () => {
    // 2 of 4 blocks unchanged: a differing block is expected to keep about half its sectors (8 differ > 4).
    const flash = flashWith(0x50000);
    fillSectors(flash, 0x10000, 64, 31);
    const data = flash.slice(0x10000, 0x50000);
    fillSectors(data, 0, 3, 32); // sectors 0-2 (block 0)
    fillSectors(data, 20 * S, 1, 33); // sector 20 (block 1)
    const { state, rounds } = runProbe(startProbe([{ addr: 0x10000, data }], { cost: fastLink, firstProbe: "blocks" }), flash);
    expect(rounds).toBe(2);
    expect(buildPlan(state, { merge: false, widen: false }).regions[0]).toMatchObject({
      differingSectors: [0, 1, 2, 20], unknownSectors: [], probe: { queries: 4 + 32, readBytes: 0x40000 + 0x20000 },
    });
  });

  it("sparse changes (most blocks unchanged) make sector probes pay even where the prior alone would not", () => {
    // Reading a block's 16 sectors: 16 × 1.5 ms + 65 536 B / 250 kB/s = 286 ms. The prior alone
    // (0.1 × 531.5 ms = 53 ms) would write the whole block; 22 of 24 blocks unchanged predict that a
    // changed block keeps 84 % of its sectors: 0.84 × 531.5 ms = 445 ms > 286 ms, so it probes.
    const slowerMd5 = { ...fastLink, md5BytesPerS: 250_000 };
    const flash = flashWith(0x190000);
    fillSectors(flash, 0x10000, 384, 21);
    const data = flash.slice(0x10000, 0x190000);
    fillSectors(data, 40 * S, 1, 22); // sector 40 (block 2)
    fillSectors(data, 200 * S, 1, 23); // sector 200 (block 12)
    const { state, rounds } = runProbe(startProbe([{ addr: 0x10000, data }], { cost: slowerMd5, firstProbe: "blocks" }), flash);
    expect(rounds).toBe(3);
    expect(buildPlan(state, { merge: false, widen: false }).regions[0]).toMatchObject({
      outcome: "selective", differingSectors: [40, 200], unknownSectors: [],
      runs: [{ addr: 0x10000 + 40 * S, sizeBytes: S, action: "write" }, { addr: 0x10000 + 200 * S, sizeBytes: S, action: "write" }],
    });
  });

  it("asks nothing when the cache predicts every sector differs; asks the whole-region digest when it predicts some match", () => {
    const flash = flashWith(0x30000);
    fillSectors(flash, 0x10000, 8, 19);
    const old = flash.slice(0x10000, 0x18000);
    const entry = cacheEntryFor({ addr: 0x10000, data: old }, "aa:bb:cc:dd:ee:ff");
    const data = new Uint8Array(8 * S);
    fillSectors(data, 0, 8, 20);
    const fresh = runProbe(startProbe([{ addr: 0x10000, data }], { cost, cache: [entry], mac: "aa:bb:cc:dd:ee:ff" }), flash);
    expect(fresh.rounds).toBe(0);
    expect(buildPlan(fresh.state).regions[0]).toMatchObject({ outcome: "full", unknownSectors: [...Array(8).keys()], probe: { queries: 0, readBytes: 0 } });
    // One sector predicted unchanged saves 1/8 of an 8-sector write (0.01 + 0.4 + 3.28 + 0.128 s) = 0.48 s,
    // more than the 33 ms digest: it is asked.
    data.set(old.subarray(0, S), 0);
    const partly = runProbe(startProbe([{ addr: 0x10000, data }], { cost, cache: [entry], mac: "aa:bb:cc:dd:ee:ff" }), flash);
    expect(partly.rounds).toBe(1);
    expect(buildPlan(partly.state).regions[0]).toMatchObject({ differingSectors: [1, 2, 3, 4, 5, 6, 7], probe: { queries: 1, readBytes: 8 * S } });
  });
});

describe("cost model for a link", () => {
  it("USB-Serial/JTAG runs at USB speed whatever the baud; a UART at baud / 10", () => {
    expect(costModelForLink({ kind: "usb-serial-jtag", baudRate: 115200 }).linkBytesPerS).toBe(1_000_000);
    expect(costModelForLink({ kind: "uart", baudRate: 921600 }).linkBytesPerS).toBe(92_160);
    expect(costModelForLink({ kind: "uart", baudRate: 921600 }, { compress: false })).toMatchObject({ linkBytesPerS: 92_160, compress: false, sectorEraseS: 0.045 });
  });
});

describe("expected share of unchanged sectors in a changed block", () => {
  it("is small when no block matched, and follows the independent-sector model when most did", () => {
    // No block unchanged of 24: min(prior 0.1, Laplace 1/26).
    expect(expectedSameShare(cost, 0, 24, 16)).toBeCloseTo(1 / 26, 10);
    // 22 of 24 unchanged: b = 23/26, q = b^(1/16) = 0.992367, model (q − b)/(1 − b) = 0.933844,
    // weighted by b over the prior: 0.1 + (0.933844 − 0.1) × 0.884615 = 0.837631 (worked out by hand).
    expect(expectedSameShare(cost, 22, 24, 16)).toBeCloseTo(0.837631, 5);
    // One unchanged block in a thousand says little: the model's 0.677 barely moves the prior.
    expect(expectedSameShare(cost, 1, 1000, 16)).toBeCloseTo(0.10115, 5);
  });
});
