/**
 * The layout of one byte-progress line for a given width. What matters is laid out first — the
 * name, the percentage, the bytes, the rate — and the rest takes the room left: a bar (8 to 24
 * columns), then the ETA. Only when what matters does not fit on its own is it shortened: the bytes
 * take their short form, the name its shorter wordings, then the name is cut (to no less than 16
 * columns), and last the rate and the bytes go. The line never exceeds the width: a wrapped line
 * would leave a stale row behind at every redraw.
 */
import { formatBytes, formatBytesOf } from "./format.js";
import { fitText, textWidth } from "./text-width.js";

/** The widest bar, in columns (between the brackets). */
const BAR_MAX = 24;
/** Narrower than this a bar says nothing the percentage does not. */
const BAR_MIN = 8;
/** The name is cut below its shortest wording only down to this, before the rate and bytes go. */
const NAME_MIN = 16;

/** What one progress line shows. */
export interface ProgressLineParts {
  /** Wordings of what is in progress, longest first: `writing app.bin at 0x00010000`, `app.bin`. */
  readonly names: readonly string[];
  readonly doneBytes: number;
  readonly totalBytes: number;
  /** `85.3 KiB/s`, absent before any time has passed. */
  readonly rate?: string;
  /** `ETA 2.31 s`, absent when unknown or done. */
  readonly eta?: string;
}

/** The part done, 0 to 1 (an empty task counts as done). */
function fractionOf(parts: ProgressLineParts): number {
  return parts.totalBytes > 0 ? Math.min(1, parts.doneBytes / parts.totalBytes) : 1;
}

/** `[######------]` with `inner` columns between the brackets. */
function bar(fraction: number, inner: number): string {
  const filled = Math.round(fraction * inner);
  return `[${"#".repeat(filled)}${"-".repeat(inner - filled)}]`;
}

/** `fields` without the empty ones, one space apart. */
function join(fields: readonly string[]): string {
  return fields.filter((f) => f !== "").join(" ");
}

/**
 * The name and the other fields that matter, within `columns`: the first of these that fits —
 * the full bytes with the longest wording; the short bytes with the longest wording that fits, or
 * the shortest cut to no less than {@link NAME_MIN}; the same without the rate; then without the
 * bytes, the name cut to whatever is left.
 */
function essentials(parts: ProgressLineParts, percent: string, columns: number): { name: string; others: string[] } {
  const total = formatBytes(parts.totalBytes);
  const fullBytes = `${formatBytes(parts.doneBytes).padStart(total.length)}/${total}`;
  const shortBytes = formatBytesOf(parts.doneBytes, parts.totalBytes).padStart(formatBytesOf(parts.totalBytes, parts.totalBytes).length);
  const rate = parts.rate ?? "";
  const wordings = parts.names.length > 0 ? parts.names : [""];
  const attempts: { others: string[]; wordings: readonly string[]; minName: number }[] = [
    { others: [percent, fullBytes, rate], wordings: wordings.slice(0, 1), minName: Infinity },
    { others: [percent, shortBytes, rate], wordings, minName: NAME_MIN },
    { others: [percent, shortBytes], wordings, minName: NAME_MIN },
    { others: [percent], wordings, minName: 1 },
  ];
  for (const { others, wordings: tried, minName } of attempts) {
    const room = columns - textWidth(join(others)) - 1;
    const whole = tried.find((w) => textWidth(w) <= room);
    if (whole !== undefined) return { name: whole, others };
    if (room >= minName) return { name: fitText(tried[tried.length - 1] ?? "", room), others };
  }
  return { name: "", others: [percent] };
}

/** The line for `parts`, at most `columns` wide (see the module comment for what gives way first). */
export function layoutProgressLine(parts: ProgressLineParts, columns: number): string {
  const fraction = fractionOf(parts);
  // Counts padded to their widest, so that the bar keeps its width while they grow.
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const { name, others } = essentials(parts, percent, columns);
  // The rest in the room left: a bar (its brackets and a space cost 3 columns), then the ETA — but
  // none of it where a field that matters had to go.
  const complete = others.length === 3;
  const room = complete ? columns - textWidth(join([name, ...others])) : 0;
  const eta = parts.eta ?? "";
  const etaCost = eta === "" ? 0 : textWidth(eta) + 1;
  const barRoom = room - 3;
  let fields: string[];
  if (barRoom >= BAR_MIN) {
    const withEta = barRoom - etaCost >= BAR_MIN;
    const inner = Math.min(BAR_MAX, withEta ? barRoom - etaCost : barRoom);
    fields = [name, bar(fraction, inner), ...others, withEta ? eta : ""];
  } else {
    fields = [name, ...others, complete && room >= etaCost ? eta : ""];
  }
  // Only a width below the percentage itself gets here still too wide.
  return fitText(join(fields), columns);
}
