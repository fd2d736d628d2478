/**
 * Quick mode of the benchmark, so it cannot rot: two small generated scenarios on one link profile,
 * checking the report's structure and relations that hold by construction (what each strategy must
 * have programmed and erased, the floor below every strategy). No wall-clock assertions; the expected
 * byte and sector counts come from the generated files, not from the code under test.
 */
import { describe, expect, it } from "vitest";
import { runBench, type ScenarioResult } from "./bench.js";
import { computeFloor } from "./floor.js";
import { renderRatios, renderResults, renderTargets } from "./report.js";
import { generatedScenarios, type Scenario } from "./scenarios.js";
import { STRATEGIES } from "./strategies.js";
import { checkTargets } from "./targets.js";
import { TIMING_PROFILES } from "../../adapters/sim/timing.js";

const APP_BYTES = 192 * 1024;
const PROFILE = { name: "usb-serial-jtag", baudRate: 921600 } as const;

function pick(id: string): Scenario {
  const s = generatedScenarios(APP_BYTES).find((x) => x.id === id);
  if (!s) throw new Error(`no scenario ${id}`);
  return s;
}

function run(result: ScenarioResult, strategy: string) {
  const r = result.profiles[0]?.runs.find((x) => x.strategy === strategy);
  if (!r) throw new Error(`no run of ${strategy}`);
  return r;
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;
const sectors = (n: number): number => Math.ceil(n / 4096);

describe("benchmark quick mode (usb-serial-jtag, small generated scenarios)", async () => {
  const unchanged = pick("unchanged");
  const oneSector = pick("one-sector");
  const { scenarios } = await runBench({ scenarios: [unchanged, oneSector], profiles: [PROFILE] });
  const [u, o] = scenarios as [ScenarioResult, ScenarioResult];

  it("reports every strategy, the floor and the ratios for each scenario", () => {
    expect(scenarios.map((s) => s.id)).toEqual(["unchanged", "one-sector"]);
    for (const s of scenarios) {
      expect(s.profiles.map((p) => p.profile)).toEqual(["usb-serial-jtag"]);
      const p = s.profiles[0];
      expect(p?.runs.map((r) => r.strategy)).toEqual([...STRATEGIES]);
      const time = (strategy: string): number => run(s, strategy).modelledS;
      const [full, skip, cold, warm, floor] = [time("full"), time("region-skip"), time("espsync (cold)"), time("espsync (warm)"), p?.floor.timeS ?? NaN];
      expect(p?.ratios).toEqual({
        coldVsFull: cold / full, coldVsRegionSkip: cold / skip, coldVsFloor: cold / floor,
        warmVsFull: warm / full, warmVsRegionSkip: warm / skip, warmVsFloor: warm / floor,
      });
      for (const r of p?.runs ?? []) {
        expect(r.endStateOk).toBe(true);
        expect(r.modelledS).toBeGreaterThan(0);
        expect(r.commands).toBeGreaterThan(0);
        expect(r.hostCpu.planUs).toBeGreaterThanOrEqual(0);
      }
    }
    const text = renderResults({ scenarios, skipped: [] }) + renderRatios({ scenarios, skipped: [] });
    expect(text).toContain("== unchanged:");
    expect(text).toContain("== one-sector:");
    expect(text).toContain("floor");
  });

  it("nothing changed: espsync and region-skip program and erase nothing; full rewrites every image", () => {
    for (const s of ["espsync (cold)", "espsync (warm)", "region-skip"]) {
      expect(run(u, s).bytesProgrammed, s).toBe(0);
      expect(run(u, s).sectorsErased, s).toBe(0);
    }
    const files = unchanged.target.map((f) => f.bytes.length);
    expect(run(u, "full").bytesProgrammed).toBe(files.reduce((n, b) => n + align4(b), 0));
    expect(run(u, "full").sectorsErased).toBe(files.reduce((n, b) => n + sectors(b), 0));
    expect(u.differingSectors).toBe(0);
  });

  it("one sector changed: espsync programs and erases exactly that sector; region-skip rewrites the app", () => {
    for (const s of ["espsync (cold)", "espsync (warm)"]) {
      expect(run(o, s).bytesProgrammed, s).toBe(4096);
      expect(run(o, s).sectorsErased, s).toBe(1);
    }
    const app = oneSector.target.find((f) => f.addr === 0x10000)?.bytes.length ?? 0;
    expect(run(o, "region-skip").bytesProgrammed).toBe(align4(app));
    expect(run(o, "region-skip").sectorsErased).toBe(sectors(app));
    expect(o.differingSectors).toBe(1);
  });

  it("the floor is at or below every strategy's modelled time", () => {
    for (const s of scenarios) {
      const p = s.profiles[0];
      for (const r of p?.runs ?? []) expect(p?.floor.timeS, `${s.id} ${r.strategy}`).toBeLessThanOrEqual(r.modelledS);
    }
  });

  it("espsync is faster than full in both scenarios and sends fewer bytes", () => {
    for (const s of scenarios) {
      expect(run(s, "espsync (cold)").modelledS).toBeLessThan(run(s, "full").modelledS);
      expect(run(s, "espsync (warm)").bytesToChip).toBeLessThan(run(s, "full").bytesToChip);
    }
  });

  it("target checks are labelled PASS, MISS or SKIP and the 1.7 MiB target is SKIP when its scenario did not run", () => {
    const checks = checkTargets({ scenarios, skipped: [] }, undefined);
    expect(checks.every((c) => ["PASS", "MISS", "SKIP"].includes(c.status))).toBe(true);
    expect(checks.find((c) => c.description.startsWith("nothing changed"))?.status).toBe("SKIP");
    expect(renderTargets(checks)).toMatch(/\d+ PASS, \d+ MISS, \d+ SKIP/);
  });
});

describe("floor arithmetic", () => {
  it("one differing sector: connect + digest pass + max(wire, one sector erase + 16 page programs)", () => {
    const p = TIMING_PROFILES["usb-uart"];
    const flash = new Uint8Array(0x20000).fill(0xff);
    const target = new Uint8Array(0x10000).fill(0xff);
    target.fill(0x00, 0x3000, 0x4000);
    const f = computeFloor(p, 921600, 0.5, flash, [{ addr: 0x10000, data: target }]);
    expect(f.differingSectors).toBe(1);
    expect(f.eraseS).toBeCloseTo(0.045, 9);
    expect(f.programS).toBeCloseTo(16 * 0.0007, 9);
    expect(f.digestS).toBeCloseTo(0x10000 / 2.5e6, 9);
    expect(f.payloadBytes).toBeLessThan(100); // 4 KiB of zeros deflate to a few dozen bytes
    expect(f.wireS).toBeCloseTo((f.payloadBytes * 10) / 921600, 9);
    expect(f.timeS).toBeCloseTo(0.5 + f.digestS + Math.max(f.wireS, 0.045 + 16 * 0.0007), 9);
  });

  it("a sector whose target is erased costs only its erase; a full 64 KiB block costs one block erase", () => {
    const p = TIMING_PROFILES["usb-uart"];
    const flash = new Uint8Array(0x40000).fill(0x00);
    const target = new Uint8Array(0x20000).fill(0xff);
    const f = computeFloor(p, 921600, 0, flash, [{ addr: 0x10000, data: target }]);
    expect(f.differingSectors).toBe(32);
    expect(f.erasedSectors).toBe(32);
    expect(f.programS).toBe(0);
    expect(f.payloadBytes).toBe(0);
    expect(f.eraseS).toBeCloseTo(2 * 0.25, 9);
  });
});
