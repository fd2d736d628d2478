/**
 * Plain-text tables (ports, partitions, segments): columns padded to their widest cell, no box
 * characters, so the output pastes cleanly into issues and greps well in CI logs.
 */

/** Column alignment. */
export type Align = "left" | "right";

/** Renders `rows` under `headers`; returns the lines (without trailing newlines). */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (align[i] === "right" ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}
