/**
 * The fault matrix: every phase × every fault the simulator injects. Each cell either recovers by
 * itself (the chip ends with the target) or stops with a specific error — and then a plain re-run
 * converges, erasing exactly the sectors that still differ. In every cell, no byte outside the sectors
 * a plan targeted changes (checked over the whole 2 MiB flash). The table is printed after the run.
 */
import { afterAll, describe, expect, it } from "vitest";
import { FAULTS, PHASES } from "./matrix-cells.js";
import { renderMatrix } from "./matrix-table.js";
import { runCell, type CellRecord } from "./run-cell.js";

const records = new Map<string, CellRecord>();

/** Specific codes a stop may carry: the link, the chip, or the loader's answer — never INTERNAL or a bare Error. */
const STOP_CODES = ["PORT_CLOSED", "TIMEOUT", "PROTOCOL_ERROR", "ROM_ERROR", "CHIP_RESET", "SYNC_FAILED"];

afterAll(() => {
  const ordered = PHASES.flatMap((p) => FAULTS.map((f) => records.get(`${p.name}/${f.name}`))).filter((r): r is CellRecord => r !== undefined);
  console.log(`\nFault matrix\n\n${renderMatrix(ordered)}\n`);
});

describe.concurrent("fault matrix", () => {
  PHASES.forEach((phase, p) => {
    it(`${phase.name}: every fault recovers, or stops cleanly and a re-run converges`, async () => {
      const cells = await Promise.all(FAULTS.map((fault, f) => runCell(phase, fault, 100 * p + f + 1)));
      for (const r of cells) records.set(`${r.phase}/${r.fault}`, r);
      for (const r of cells) {
        const where = `${r.phase} × ${r.fault}: ${r.message ?? ""}`;
        expect(r.fired, where).toBe(true);
        expect(r.outcome, where).not.toBe("crashed");
        expect(r.converged, where).toBe(true);
        expect(r.bytesOutsidePlan, where).toBe(0);
        if (r.outcome !== "stopped") continue;
        expect(r.rerunMinimal, where).toBe(true);
        expect(STOP_CODES, where).toContain(r.code);
        expect(r.message, where).toMatch(phase.named);
        expect(r.message, where).not.toContain("\n");
        expect(r.hint, where).toMatch(/\w+/);
      }
    }, 60_000);
  });
});
