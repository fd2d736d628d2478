import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_COST_MODEL, buildPlan, startProbe, type TargetRegion } from "../../src/plan/index.js";
import { applyPlan, runProbe } from "./probe-loop.js";

const S = 0x1000;
const FLASH = 48 * S;
/** Few sector patterns so that chip and target sectors often coincide. */
function pattern(buf: Uint8Array, at: number, kind: number): void {
  if (kind === 0) buf.fill(0xff, at, at + S);
  else if (kind === 1) buf.fill(0x00, at, at + S);
  else for (let i = 0; i < S; i++) buf[at + i] = (kind * 37 + i) & 0xff;
}

const scenario = fc
  .record({
    chip: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: FLASH / S, maxLength: FLASH / S }),
    cuts: fc.uniqueArray(fc.integer({ min: 0, max: FLASH / S }), { minLength: 2, maxLength: 6 }),
    target: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: FLASH / S, maxLength: FLASH / S }),
    firstProbe: fc.constantFrom("auto" as const, "whole" as const, "blocks" as const),
  })
  .map(({ chip, cuts, target, firstProbe }) => {
    const flash = new Uint8Array(FLASH);
    chip.forEach((k, i) => pattern(flash, i * S, k));
    const desired = new Uint8Array(FLASH);
    target.forEach((k, i) => pattern(desired, i * S, k));
    // Regions: every other interval between sorted cut points (non-overlapping, with holes between).
    const points = [...cuts].sort((a, b) => a - b);
    const regions: TargetRegion[] = [];
    for (let i = 0; i + 1 < points.length; i += 2) {
      const [a, b] = [points[i] as number, points[i + 1] as number];
      if (b > a) regions.push({ addr: a * S, data: desired.slice(a * S, b * S) });
    }
    return { flash, regions, firstProbe };
  })
  .filter((s) => s.regions.length > 0);

const md5 = (b: Uint8Array): string => createHash("md5").update(b).digest("hex");

/** Sectors (absolute indexes) the plan writes or erases. */
function touched(plan: ReturnType<typeof buildPlan>): Set<number> {
  const out = new Set<number>();
  for (const run of plan.regions.flatMap((r) => r.runs)) for (let a = run.addr; a < run.addr + run.sizeBytes; a += S) out.add(a / S);
  return out;
}

function differing(flash: Uint8Array, regions: readonly TargetRegion[]): Set<number> {
  const out = new Set<number>();
  for (const r of regions) {
    for (let o = 0; o < r.data.length; o += S) if (md5(flash.subarray(r.addr + o, r.addr + o + S)) !== md5(r.data.subarray(o, o + S))) out.add((r.addr + o) / S);
  }
  return out;
}

function checkApplied(flash: Uint8Array, regions: readonly TargetRegion[], plan: ReturnType<typeof buildPlan>): void {
  const after = applyPlan(plan, regions, flash);
  const inside = new Uint8Array(FLASH);
  for (const r of regions) {
    expect(md5(after.subarray(r.addr, r.addr + r.data.length))).toBe(md5(r.data));
    inside.fill(1, r.addr, r.addr + r.data.length);
  }
  for (let a = 0; a < FLASH; a += S) if (inside[a] === 0) expect(md5(after.subarray(a, a + S))).toBe(md5(flash.subarray(a, a + S)));
}

describe("planner properties", () => {
  it("with merging, widening and fallback off, exactly the differing sectors are written or erased", () => {
    // A cost model under which probing every differing block pays, so no sector stays unknown.
    const cost = { ...DEFAULT_COST_MODEL, md5BytesPerS: 1e9, digestLatencyS: 1e-6 };
    fc.assert(
      fc.property(scenario, ({ flash, regions, firstProbe }) => {
        const { state } = runProbe(startProbe(regions, { cost, firstProbe }), flash);
        const plan = buildPlan(state, { merge: false, widen: false, fullFallback: false });
        expect([...touched(plan)].sort((a, b) => a - b)).toEqual([...differing(flash, regions)].sort((a, b) => a - b));
        checkApplied(flash, regions, plan);
      }),
      { numRuns: 150 },
    );
  });

  it("with every optimisation on, a superset of the differing sectors is touched and the result is the target", () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom(DEFAULT_COST_MODEL, { ...DEFAULT_COST_MODEL, runOverheadS: 2, sectorEraseS: 0.3 }), ({ flash, regions, firstProbe }, cost) => {
        const { state } = runProbe(startProbe(regions, { cost, firstProbe }), flash);
        const plan = buildPlan(state);
        const t = touched(plan);
        for (const s of differing(flash, regions)) expect(t.has(s)).toBe(true);
        checkApplied(flash, regions, plan);
      }),
      { numRuns: 150 },
    );
  });
});
