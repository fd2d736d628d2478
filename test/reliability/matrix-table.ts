/** Renders the fault matrix's records as a plain-text table and a summary line. */
import type { CellRecord } from "./run-cell.js";

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

/** One row per cell, then the totals. */
export function renderMatrix(records: readonly CellRecord[]): string {
  const header = ["phase", "fault", "outcome", "code", "re-run converged", "outside plan (bytes)"];
  const rows = records.map((r) => [
    r.phase,
    r.fault,
    r.outcome === "recovered" ? `recovered${r.recoveries ? ` (${r.recoveries} re-sync)` : ""}` : r.outcome,
    r.code ?? "-",
    r.outcome === "stopped" ? (r.converged && r.rerunMinimal ? "yes, minimal" : r.converged ? "yes, NOT minimal" : "NO") : "-",
    String(r.bytesOutsidePlan),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => pad(c, widths[i] as number)).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  const recovered = records.filter((r) => r.outcome === "recovered").length;
  const stopped = records.filter((r) => r.outcome === "stopped").length;
  const convergedRerun = records.filter((r) => r.outcome === "stopped" && r.converged && r.rerunMinimal).length;
  const outside = records.reduce((s, r) => s + r.bytesOutsidePlan, 0);
  const summary =
    `faults injected: ${records.filter((r) => r.fired).length}/${records.length}, recovered: ${recovered}, stopped cleanly: ${stopped}, ` +
    `converged on re-run: ${convergedRerun}/${stopped}, bytes changed outside the plan: ${outside}`;
  const stops = records.filter((r) => r.outcome === "stopped").map((r) => `- ${r.phase} × ${r.fault}: ${r.code}: ${r.message} (hint: ${r.hint ?? "none"})`);
  return [line(header), rule, ...rows.map(line), "", summary, "", "What the stops said:", ...stops].join("\n");
}
