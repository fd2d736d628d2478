/**
 * A tiny terminal screen for replaying what a program wrote to a pseudo-terminal: printable text
 * with auto-wrap at the width (xterm's deferred wrap), CR, LF, and the few escape sequences espsync
 * writes (cursor up, erase to the end of the screen or line, colours). Anything else fails loudly, so
 * a new sequence in the output cannot slip past the tests. Rows scrolled off the top are kept.
 *
 * Old rows keep their cells on a resize (as in xterm and the Linux console): `resize` changes the
 * width for what comes next.
 */
/* eslint-disable no-control-regex -- a terminal model parses escape codes on purpose */
import stringWidth from "string-width";

/** One row of the screen. */
interface Row {
  cells: string[];
  /** The row continues the one above: the text before it reached the right edge and wrapped. */
  wrapped: boolean;
}

/** A row's text as it looks, trailing blanks removed. */
function rowText(row: Row): string {
  return row.cells.join("").replace(/ +$/, "");
}

/** A row removed by an erase: in a live area, one drawn frame line. */
export interface ErasedRow {
  readonly text: string;
  readonly wrapped: boolean;
}

/** The screen; feed it the bytes the program wrote. */
export class ScreenModel {
  private readonly rows: Row[] = [{ cells: [], wrapped: false }];
  private row = 0;
  private col = 0;
  /** xterm's deferred wrap: the last column was written, the next printable wraps first. */
  private pendingWrap = false;
  /** The first row of the visible screen: the cursor cannot move above it. */
  private top = 0;
  /** Rows that wrapped because text reached the right edge. */
  wraps = 0;
  /** Rows removed by erase sequences, in order. */
  readonly erased: ErasedRow[] = [];

  constructor(
    private width: number,
    private readonly height = 24,
  ) {}

  /** Further output wraps at `width`. */
  resize(width: number): void {
    this.width = width;
    this.col = Math.min(this.col, width - 1);
    this.pendingWrap = false;
  }

  /** Replays `text` (escape sequences included). */
  write(text: string): void {
    for (let i = 0; i < text.length; ) {
      const ch = text[i] as string;
      if (ch === "\x1b") {
        i = this.escape(text, i);
        continue;
      }
      const cp = String.fromCodePoint(text.codePointAt(i) as number);
      i += cp.length;
      if (cp === "\r") {
        this.col = 0;
        this.pendingWrap = false;
      } else if (cp === "\n") {
        this.lineFeed(false);
      } else if (cp === "\x07" || cp === "\b") {
        if (cp === "\b") this.col = Math.max(0, this.col - 1);
      } else {
        this.print(cp);
      }
    }
  }

  /** The text on the screen (scrollback included), one entry per row, trailing empty rows dropped. */
  lines(): string[] {
    const out = this.rows.map(rowText);
    while (out.length > 0 && out[out.length - 1] === "") out.pop();
    return out;
  }

  /** {@link lines} with wrapped rows joined to the row they continue: the lines as written. */
  logicalLines(): string[] {
    const out: string[] = [];
    this.rows.forEach((row, i) => {
      if (row.wrapped && i > 0) out[out.length - 1] += row.cells.join("");
      else out.push(row.cells.join(""));
    });
    const trimmed = out.map((l) => l.replace(/ +$/, ""));
    while (trimmed.length > 0 && trimmed[trimmed.length - 1] === "") trimmed.pop();
    return trimmed;
  }

  private print(cp: string): void {
    const w = stringWidth(cp);
    if (w === 0) return;
    if (this.pendingWrap || this.col + w > this.width) {
      this.wraps += 1;
      this.lineFeed(true);
      this.col = 0;
    }
    const cells = (this.rows[this.row] as Row).cells;
    while (cells.length < this.col) cells.push(" ");
    cells[this.col] = cp;
    if (w === 2) cells[this.col + 1] = "";
    this.col += w;
    if (this.col >= this.width) {
      this.col = this.width - 1;
      this.pendingWrap = true;
    }
  }

  private lineFeed(wrapped: boolean): void {
    this.pendingWrap = false;
    this.row += 1;
    if (this.row >= this.rows.length) this.rows.push({ cells: [], wrapped });
    else if (wrapped) (this.rows[this.row] as Row).wrapped = true;
    // A line feed on the bottom row scrolls the screen; rows above it are out of the cursor's reach.
    this.top = Math.max(this.top, this.row - this.height + 1);
  }

  private escape(text: string, at: number): number {
    const osc = /^\x1b\][^\x07]*\x07/.exec(text.slice(at));
    if (osc) return at + osc[0].length;
    const csi = /^\x1b\[([?0-9;]*)([A-Za-z])/.exec(text.slice(at));
    if (!csi) throw new Error(`unsupported escape sequence ${JSON.stringify(text.slice(at, at + 8))}`);
    const [seq, params = "", final] = csi;
    const n = params === "" ? 1 : Number(params);
    this.pendingWrap = false;
    switch (final) {
      case "A":
        this.row = Math.max(this.top, this.row - n);
        break;
      case "m":
        break;
      case "J":
        if (params !== "" && params !== "0") throw new Error(`unsupported erase ${seq}`);
        this.eraseBelow();
        break;
      case "K":
        (this.rows[this.row] as Row).cells.length = Math.min((this.rows[this.row] as Row).cells.length, this.col);
        break;
      default:
        throw new Error(`unsupported escape sequence ${JSON.stringify(seq)}`);
    }
    return at + seq.length;
  }

  /** ESC [ 0 J: clears from the cursor to the end of the screen, keeping what was there as erased rows. */
  private eraseBelow(): void {
    const current = this.rows[this.row] as Row;
    const removed = [{ cells: current.cells.slice(this.col), wrapped: current.wrapped }, ...this.rows.slice(this.row + 1)];
    for (const row of removed) {
      const text = rowText(row);
      if (text !== "") this.erased.push({ text, wrapped: row.wrapped });
    }
    current.cells.length = Math.min(current.cells.length, this.col);
    this.rows.length = this.row + 1;
  }
}
