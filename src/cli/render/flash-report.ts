/**
 * Human rendering of the flash engine's events and results: the progress of each phase, one line
 * per region when it is done (`skipped` / `N of M sectors written` / `full`, bytes, time, speed),
 * the plan of a dry run, and the totals.
 */
import type { FlashEvent, FlashResult, RegionResult } from "../../engine/index.js";
import type { RegionPlan } from "../../plan/index.js";
import { hex32 } from "../../errors.js";
import { plural } from "../../util/plural.js";
import { FlashTracker } from "./flash-tracker.js";
import { formatBytes, formatDuration, formatRate } from "./format.js";
import type { InterruptReporter } from "./interrupt-notices.js";
import type { Output } from "./output.js";
import type { ProgressView } from "./progress-view.js";

/** What the region is in one word: `skipped`, `3 of 31 sectors written`, `full`. */
export function regionOutcomeText(r: Pick<RegionResult, "outcome" | "sectorsWritten" | "sectorsErasedOnly" | "sectorsTotal">): string {
  if (r.outcome === "skip") return "skipped";
  if (r.outcome === "full") return "full";
  const erased = r.sectorsErasedOnly > 0 ? `, ${r.sectorsErasedOnly} erased` : "";
  return `${r.sectorsWritten} of ${plural(r.sectorsTotal, "sector")} written${erased}`;
}

/** One line per finished region. */
export function regionLine(r: RegionResult, name: string): string {
  const head = `${name}: ${regionOutcomeText(r)}`;
  if (r.outcome === "skip") return `${head} (${plural(r.sectorsTotal, "sector")} unchanged${r.verifiedMd5 ? ", digest verified" : ""})`;
  const verified = r.verifiedMd5 ? ", verified" : "";
  return `${head}, ${formatBytes(r.writtenBytes)} in ${formatDuration(r.durationMs)} (${formatRate(r.writtenBytes, r.durationMs)})${verified}`;
}

/** The totals line of a flash. */
export function totalsLine(result: FlashResult): string {
  const t = result.totals;
  const sent = t.sentBytes !== t.writtenBytes ? ` (${formatBytes(t.sentBytes)} sent)` : "";
  const rewrites = t.rewrites > 0 ? `, ${plural(t.rewrites, "run")} rewritten after a failed verify` : "";
  if (t.writtenBytes === 0 && t.erasedBytes === 0) return `Nothing to write: the flash already holds the images (${plural(t.digestQueries, "digest")}, ${formatDuration(t.durationMs)})`;
  return `Wrote ${formatBytes(t.writtenBytes)}${sent} in ${formatDuration(t.durationMs)} (${formatRate(t.writtenBytes, t.durationMs)}), ${plural(t.digestQueries, "digest")}${rewrites}`;
}

/** What a dry run would do with one region. */
export function planLine(plan: RegionPlan, name: string): string {
  const total = Math.ceil(plan.sizeBytes / 0x1000);
  if (plan.outcome === "skip") return `${name}: would skip (${plural(total, "sector")} unchanged)`;
  if (plan.outcome === "full") return `${name}: would write all ${plural(total, "sector")}`;
  const runs = plan.runs.map((r) => `${r.action} ${hex32(r.addr)}+${r.sizeBytes / 0x1000}`).join(", ");
  return `${name}: would write ${plan.differingSectors.length + plan.unknownSectors.length} of ${plural(total, "sector")} (${runs})`;
}

/**
 * Wordings of a write, longest first, for narrow terminals: `writing app.bin at 0x00010000`,
 * `app.bin at 0x00010000`, `app.bin` — the file name is what tells the regions apart. Region names
 * end in their address (regionName in image-args.ts).
 */
function wordings(regionName: string): string[] {
  return [`writing ${regionName}`, regionName, regionName.replace(/ at 0x[0-9a-f]+$/, "")];
}

/**
 * Turns engine events into progress and per-region lines for one board, and follows the flash so
 * that Ctrl-C can say at once where it is (flash-tracker.ts; `report` hands the tracker to the
 * board's activity).
 */
export function flashEventRenderer(
  out: Output,
  progress: ProgressView,
  prefix: string,
  regionNames: readonly string[],
  report: (reporter: InterruptReporter) => void,
): (event: FlashEvent) => void {
  const name = (i: number): string => regionNames[i] ?? `region ${i}`;
  const tracker = new FlashTracker(regionNames);
  report(tracker);
  return (event) => {
    tracker.onEvent(event);
    switch (event.type) {
      case "hash":
        progress.status("comparing the flash with the images by digest", `comparing by digest: ${event.doneQueries}/${event.queries}`);
        break;
      case "plan":
        for (const [i, r] of event.plan.regions.entries()) out.detail(`${prefix}plan: ${planLine(r, name(i))}`);
        break;
      case "erase":
        progress.status(event.region < 0 ? "erasing the whole chip" : `erasing in ${name(event.region)}`);
        break;
      case "write":
        progress.bytes(wordings(name(event.region)), event.doneBytes, event.totalBytes);
        break;
      case "verify":
        if (!event.ok) out.warn(`${prefix}${name(event.region)}: digest mismatch at ${hex32(event.addr)}; writing it once more`);
        else progress.note(`verified ${name(event.region)}`);
        break;
      case "region-done":
        out.say(`${prefix}${regionLine(event.result, name(event.region))}`);
        break;
      case "warning":
        out.warn(`${prefix}${event.message}`);
        break;
    }
  };
}
