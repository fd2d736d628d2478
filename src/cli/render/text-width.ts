/**
 * Terminal columns of text, and shortening text to a number of columns. Counted with string-width
 * (East Asian wide characters and emoji take two columns, combining marks none), because a file
 * name in a progress line may hold any of them, and a line that is one column too wide wraps on the
 * terminal and breaks the redraw of the live area.
 */
import stringWidth from "string-width";

/** What stands for the part of a text left out. */
export const ELLIPSIS = "…";

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The columns `text` takes on a terminal (escape codes count none). */
export function textWidth(text: string): number {
  return stringWidth(text);
}

/** The longest run of whole graphemes from the start (or, `fromEnd`, the end) of `text` within `columns`. */
function take(text: string, columns: number, fromEnd: boolean): string {
  const parts = Array.from(graphemes.segment(text), (s) => s.segment);
  if (fromEnd) parts.reverse();
  let used = 0;
  let count = 0;
  for (const part of parts) {
    const w = stringWidth(part);
    if (used + w > columns) break;
    used += w;
    count += 1;
  }
  const kept = parts.slice(0, count);
  return (fromEnd ? kept.reverse() : kept).join("");
}

/**
 * `text` within `columns`: unchanged when it fits, else its start and its end around an ellipsis —
 * the end is kept because that is where file names carry their extension and URLs their options.
 */
export function fitText(text: string, columns: number): string {
  if (columns <= 0) return "";
  if (textWidth(text) <= columns) return text;
  if (columns === 1) return ELLIPSIS;
  const room = columns - textWidth(ELLIPSIS);
  const head = take(text, Math.ceil(room / 2), false);
  const tail = take(text, columns - textWidth(ELLIPSIS) - textWidth(head), true);
  return `${head}${ELLIPSIS}${tail}`;
}
