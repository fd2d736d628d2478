/**
 * Who writes: the flasher stub (uploaded first, compressed writes, one digest at a time) or the ROM
 * loader itself (plain 4 KiB blocks, digests pipelined, no upload). The stub wins whenever there is
 * much to write; on a link with a long round trip (a network, an emulator's TCP port) a few sectors
 * go faster through the ROM than the stub's upload alone takes. Both plans come from the same probe;
 * each is priced with the link's measured round trip, the upload and the verification digests.
 */
import {
  buildPlan,
  costModelForBaud,
  digestTimeS,
  planningRoundTripS,
  programTimeS,
  ROM_EXCHANGES,
  stubUploadTimeS,
  withRoundTrip,
  type CostModel,
  type FlashPlan,
  type PlanOptions,
  type ProbeState,
} from "../plan/index.js";
import type { Device } from "../protocol/device.js";
import type { SecurityMode } from "./security.js";

/** A plan and the loader that carries it out. */
export interface LoaderChoice {
  readonly plan: FlashPlan;
  readonly mode: SecurityMode;
  /** Write through the ROM (Device.write `viaRom`); the stub is never uploaded. */
  readonly viaRom: boolean;
  /** Predicted seconds of writing and verifying each way, for traces and tests. */
  readonly predictedS: { readonly stub: number; readonly rom?: number };
}

/**
 * The caller's choice: `auto` weighs both; `stub` always uploads the stub to write; `rom` writes
 * through the ROM whenever the stub is not running yet.
 */
export type WriteLoader = "auto" | "stub" | "rom";

/** Seconds of the verification digests: one per write run, at the plan's digest cost. */
function verifyTimeS(cost: CostModel, plan: FlashPlan): number {
  const runs = plan.regions.flatMap((r) => r.runs.filter((x) => x.action === "write"));
  return digestTimeS(cost, runs.reduce((s, r) => s + r.sizeBytes, 0), runs.length);
}

/**
 * Plans the write for the stub (`state.cost`) and, when the device offers it, for the ROM; returns
 * the cheaper. Both are priced with the link's measured round trip (the cost model's own digest
 * latency when nothing was measured).
 */
export function chooseLoader(state: ProbeState, device: Pick<Device, "chip">, mode: SecurityMode, options: { readonly planOptions?: PlanOptions; readonly writeLoader?: WriteLoader }): LoaderChoice {
  const stubPlan = buildPlan(state, options.planOptions ?? {});
  const rom = device.chip.romWrites;
  if (rom === undefined || options.writeLoader === "stub" || stubPlan.totals.writeBytes + stubPlan.totals.eraseBytes === 0) {
    return { plan: stubPlan, mode, viaRom: false, predictedS: { stub: stubPlan.totals.predictedTimeS } };
  }
  const roundTripS = planningRoundTripS(device.chip.link) ?? state.cost.digestLatencyS;
  const romLink = costModelForBaud(rom.baudRate);
  const romCost = withRoundTrip({ ...state.cost, linkBytesPerS: romLink.linkBytesPerS, compress: false }, roundTripS, ROM_EXCHANGES);
  const romPlan = buildPlan({ ...state, cost: romCost }, options.planOptions ?? {});
  // The stub's digests go one at a time once it runs: a round trip each.
  const stubVerifyCost = { ...state.cost, digestLatencyS: roundTripS };
  const stubS = stubUploadTimeS(rom.stubBytes, romLink.linkBytesPerS, roundTripS) + stubPlan.totals.predictedTimeS + verifyTimeS(stubVerifyCost, stubPlan);
  // The ROM has no ERASE_REGION: erase-only runs are written as 0xFF, bytes the plan did not price.
  const romErasesS = romPlan.totals.eraseBytes / romCost.linkBytesPerS + programTimeS(romCost, romPlan.totals.eraseBytes);
  const romS = romPlan.totals.predictedTimeS + romErasesS + verifyTimeS(romCost, romPlan);
  const predictedS = { stub: stubS, rom: romS };
  if (options.writeLoader === "rom" || romS < stubS) return { plan: romPlan, mode: { ...mode, compressed: false, eraseRegion: false }, viaRom: true, predictedS };
  return { plan: stubPlan, mode, viaRom: false, predictedS };
}
