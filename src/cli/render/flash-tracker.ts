/**
 * Where one board's flash stands, followed from the engine's events, so that Ctrl-C can be answered
 * at once: the first with what is in flight (the block being written, the digest being computed),
 * the second — which quits without waiting — with the state the flash is left in, region by region.
 */
import type { FlashEvent, RegionResult } from "../../engine/index.js";
import { hex32 } from "../../errors.js";
import { plural } from "../../util/plural.js";
import type { FlashPlan } from "../../plan/index.js";

/** Where one region stands. */
type RegionState =
  | { readonly kind: "pending" }
  /** A write run is under way: the chip acknowledged everything before `doneUpTo`. */
  | { readonly kind: "writing"; readonly runAddr: number; readonly runEnd: number | undefined; readonly doneUpTo: number }
  /** An erase-only run (ERASE_REGION) is under way. */
  | { readonly kind: "erasing"; readonly addr: number; readonly sizeBytes: number }
  /** Its runs are written; the chip's digest is being compared. */
  | { readonly kind: "verifying" }
  | { readonly kind: "done"; readonly result: RegionResult };

/** The flash of one board as far as the events tell. */
export class FlashTracker {
  private plan: FlashPlan | undefined;
  private probe: { done: number; total: number } | undefined;
  private chipErase: "no" | "running" | "done" = "no";
  private readonly regions: RegionState[];
  /** The last `doneBytes` of each region's write events: where its next run's count starts. */
  private readonly doneBytes: number[];

  /** `names`: the regions in the order of the request (`app.bin at 0x00010000`). */
  constructor(private readonly names: readonly string[]) {
    this.regions = names.map(() => ({ kind: "pending" }));
    this.doneBytes = names.map(() => 0);
  }

  /** Follows one event of the flash. */
  onEvent(event: FlashEvent): void {
    // The chip erase has no event of its own at its end: the next step of the flash is one.
    if (this.chipErase === "running" && event.type !== "warning") this.chipErase = "done";
    switch (event.type) {
      case "hash":
        this.probe = { done: event.doneQueries, total: event.queries };
        break;
      case "plan":
        this.plan = event.plan;
        break;
      case "erase":
        if (event.region < 0) this.chipErase = "running";
        else this.regions[event.region] = { kind: "erasing", addr: event.addr, sizeBytes: event.sizeBytes };
        break;
      case "write":
        this.onWrite(event);
        break;
      case "verify":
        this.regions[event.region] = { kind: "verifying" };
        break;
      case "region-done":
        this.regions[event.region] = { kind: "done", result: event.result };
        break;
      case "warning":
        break;
    }
  }

  /** True once every region is done (nothing left to stop or to report). */
  get finished(): boolean {
    return this.regions.every((r) => r.kind === "done");
  }

  /**
   * What is in flight, for the first Ctrl-C: `writing app.bin at 0x00010000: complete up to
   * 0x00024000, the block at 0x00024000 in flight`. Undefined once the flash is finished.
   */
  inFlight(): string | undefined {
    if (this.finished) return undefined;
    if (this.chipErase === "running") return "erasing the whole chip";
    const active = this.regions.findIndex((r) => r.kind !== "pending" && r.kind !== "done");
    const state = this.regions[active];
    const name = this.name(active);
    switch (state?.kind) {
      case "writing": {
        const block = state.runEnd === undefined || state.doneUpTo < state.runEnd ? `, the block at ${hex32(state.doneUpTo)} in flight` : "";
        return `writing ${name}: complete up to ${hex32(state.doneUpTo)}${block}`;
      }
      case "erasing":
        return `erasing ${hex32(state.addr)}..${hex32(state.addr + state.sizeBytes)} in ${name}`;
      case "verifying":
        return `verifying ${name} by the chip's digest`;
    }
    if (this.plan === undefined) {
      const digests = this.probe === undefined ? "" : ` (${this.probe.done} of ${plural(this.probe.total, "digest")})`;
      return `comparing the flash with the images by digest${digests}; nothing written yet`;
    }
    const next = this.regions.findIndex((r) => r.kind === "pending");
    return `starting ${this.name(next)}`;
  }

  /**
   * The state of the flash region by region, for a quit that does not wait for the write in flight:
   * which regions are complete, which is partly written and from where, which are not written yet.
   * Undefined once the flash is finished.
   */
  flashState(): string[] | undefined {
    if (this.finished) return undefined;
    // Before the plan only digests were asked: nothing can have changed.
    if (this.plan === undefined) return ["nothing was written: the flash is unchanged"];
    const lines = this.regions.map((state, i) => `${this.name(i)}: ${this.regionState(state, i)}`);
    if (this.chipErase === "running") lines.unshift("the whole chip was being erased: any part of it may be erased");
    return lines;
  }

  private onWrite(event: Extract<FlashEvent, { type: "write" }>): void {
    const state = this.regions[event.region];
    const before = this.doneBytes[event.region] ?? 0;
    this.doneBytes[event.region] = event.doneBytes;
    // `doneBytes` counts all of the region's writes (a run starts with an event at the count so far),
    // so what the chip acknowledged of this run grew by the difference to the previous event. A run
    // after a verification is a rewrite: it starts again at its address.
    const sameRun = state?.kind === "writing" && state.runAddr === event.addr;
    const doneUpTo = (sameRun ? state.doneUpTo : event.addr) + (event.doneBytes - before);
    const run = this.plan?.regions[event.region]?.runs.find((r) => r.addr === event.addr && r.action === "write");
    this.regions[event.region] = { kind: "writing", runAddr: event.addr, runEnd: run === undefined ? undefined : run.addr + run.sizeBytes, doneUpTo };
  }

  private regionState(state: RegionState, index: number): string {
    switch (state.kind) {
      case "done":
        if (state.result.outcome === "skip") return "complete (it already matched)";
        return state.result.verifiedMd5 !== undefined ? "complete, verified" : "complete, not verified";
      case "writing":
        // The stub erases as it writes, the ROM the whole run at its start: say what holds for both.
        return `partly written: new up to ${hex32(state.doneUpTo)}, after that parts may be erased or half-written`;
      case "erasing":
        return `partly written: ${hex32(state.addr)}..${hex32(state.addr + state.sizeBytes)} may be partly erased`;
      case "verifying":
        return "written, its verification cut short";
      case "pending":
        if (this.plan?.regions[index]?.outcome === "skip") return "complete (it already matched)";
        return this.chipErase === "no" ? "not written yet (it holds what it held before)" : "not written yet (erased)";
    }
  }

  private name(index: number): string {
    return this.names[index] ?? `region ${index}`;
  }
}
