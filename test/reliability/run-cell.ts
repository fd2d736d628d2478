/**
 * Runs one cell of the fault matrix: a chip with seeded flash, a target region that differs in some
 * sectors, the fault installed at its phase, the operation run once; then — when it stopped — the same
 * operation run again without faults. Records what happened; the test asserts on the record.
 */
import { flash, withRecovery } from "../../src/engine/index.js";
import { EspsyncError } from "../../src/errors.js";
import { costModelForBaud } from "../../src/plan/index.js";
import type { Device } from "../../src/protocol/index.js";
import { dataSet, EXACT, seededBytes } from "../engine/helpers.js";
import type { Fault, Phase } from "./matrix-cells.js";
import { FAST_CONNECT, bytesChangedOutside, connectTo, differingSectors, erasedSectors, noisyChip, SECTOR } from "./sim-rig.js";

/** The region flashed: 16 sectors at 1 MiB; sectors 3..12 get new content (one contiguous run). */
export const REGION_ADDR = 0x100000;
export const REGION_BYTES = 16 * SECTOR;
const NEW_SECTORS = { first: 3, count: 10 };
const COST = costModelForBaud(921600, { sameFractionPrior: 1 });

/** What one cell did. */
export interface CellRecord {
  readonly phase: string;
  readonly fault: string;
  /** The fault fired (the phase was reached). */
  readonly fired: boolean;
  /** recovered: the first run succeeded; stopped: it failed with an EspsyncError; crashed: anything else. */
  readonly outcome: "recovered" | "stopped" | "crashed";
  /** Error code and message of a stop. */
  readonly code?: string;
  readonly message?: string;
  readonly hint?: string;
  /** After the first run (or the re-run), the chip holds the target (flash) / the read returned the flash bytes. */
  readonly converged: boolean;
  /** The re-run erased exactly the sectors that still differed (flash cells that stopped). */
  readonly rerunMinimal?: boolean;
  /** Bytes changed anywhere outside the sectors some plan targeted. */
  readonly bytesOutsidePlan: number;
  /** Recovery warnings emitted. */
  readonly recoveries: number;
}

/** `old` with new sectors: 3 KiB of noise and 1 KiB of fill each, so the run goes compressed in 2+ data blocks. */
function target(seed: number, old: Uint8Array): Uint8Array {
  const out = old.slice();
  for (let s = NEW_SECTORS.first; s < NEW_SECTORS.first + NEW_SECTORS.count; s++) {
    out.fill(0x5a, s * SECTOR, (s + 1) * SECTOR);
    out.set(seededBytes(seed * 100 + s, 3 * 1024), s * SECTOR);
  }
  return out;
}

/** Runs the cell `phase` × `fault` on a chip seeded with `seed`. */
export async function runCell(phase: Phase, fault: Fault, seed: number): Promise<CellRecord> {
  const rule = fault.rule(phase);
  const chip = noisyChip(seed, phase.arm === "creation" ? [rule] : []);
  const before = chip.flash.bytes.slice();
  const want = target(seed, before.subarray(REGION_ADDR, REGION_ADDR + REGION_BYTES));
  const images = dataSet([{ addr: REGION_ADDR, bytes: want }], "esp32c3");
  const planned = new Set<number>();
  let recoveries = 0;
  // The rule goes in once, during the first (faulted) run only; "fired" needs it installed and consumed
  // (an empty pending list alone would also hold if the phase was never reached to install it).
  let faulting = true;
  let installed = phase.arm === "creation";
  const install = (): void => {
    if (!faulting || installed) return;
    installed = true;
    chip.faults.add(rule);
  };
  const onEvent = (e: Parameters<NonNullable<Parameters<typeof flash>[0]["onEvent"]>>[0]): void => {
    if (e.type === "plan") {
      for (const region of e.plan.regions) for (const run of region.runs) for (let a = run.addr; a < run.addr + run.sizeBytes; a += SECTOR) planned.add(a);
      if (phase.arm === "planned") install();
    }
    if (e.type === "warning" && /trying once more/.test(e.message)) recoveries++;
  };

  let readBack: Uint8Array | undefined;
  const attempt = async (withFaults: boolean): Promise<void> => {
    let device: Device | undefined;
    try {
      device = await connectTo(chip, phase.romOnly ? { ...FAST_CONNECT, stub: false } : FAST_CONNECT);
      if (withFaults && phase.arm === "connected") install();
      if (phase.kind === "read") {
        readBack = await withRecovery(device, onEvent).read(REGION_ADDR, REGION_BYTES);
        return;
      }
      await flash({ device, images, cost: COST, planOptions: EXACT, onEvent });
      if (phase.kind === "finish") {
        if (withFaults) install();
        const d = device;
        device = undefined;
        await d.finish("soft_reset");
      }
    } finally {
      await device?.close().catch(() => undefined);
    }
  };
  const converged = (): boolean =>
    phase.kind === "read"
      ? readBack !== undefined && Buffer.compare(readBack, before.subarray(REGION_ADDR, REGION_ADDR + REGION_BYTES)) === 0
      : Buffer.compare(chip.flash.bytes.subarray(REGION_ADDR, REGION_ADDR + REGION_BYTES), want) === 0;

  let first: unknown;
  await attempt(true).catch((e: unknown) => (first = e));
  faulting = false;
  const fired = installed && chip.faults.pending.length === 0;
  const base = { phase: phase.name, fault: fault.name, fired, recoveries };
  if (first === undefined) {
    return { ...base, outcome: "recovered", converged: converged(), bytesOutsidePlan: bytesChangedOutside(before, chip.flash.bytes, planned) };
  }
  if (!(first instanceof EspsyncError)) {
    return { ...base, outcome: "crashed", message: String(first), converged: false, bytesOutsidePlan: bytesChangedOutside(before, chip.flash.bytes, planned) };
  }
  // A plain re-run of the same command, no faults: it must converge, writing only what still differs.
  chip.faults.clear();
  const stillDifferent = differingSectors(REGION_ADDR, chip.flash.bytes.subarray(REGION_ADDR, REGION_ADDR + REGION_BYTES), want);
  chip.flash.resetCounters();
  let rerunError: unknown;
  await attempt(false).catch((e: unknown) => (rerunError = e));
  const rerunMinimal = phase.kind === "read" || JSON.stringify(erasedSectors(chip)) === JSON.stringify(stillDifferent);
  return {
    ...base,
    outcome: "stopped",
    code: first.code,
    message: first.message,
    ...(first.hint !== undefined && { hint: first.hint }),
    converged: rerunError === undefined && converged(),
    rerunMinimal,
    bytesOutsidePlan: bytesChangedOutside(before, chip.flash.bytes, planned),
  };
}
