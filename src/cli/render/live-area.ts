/**
 * The redrawn block of progress lines at the bottom of a terminal, one line per board. Permanent
 * lines (results, warnings) are printed above it: clear the block, print, redraw. Only ever used
 * when the sink is a TTY — everywhere else progress is plain lines (see progress-view.ts), so logs
 * never contain escape codes.
 *
 * The block is erased by moving the cursor up one row per line, so every line must take exactly one
 * row: lines are laid out for the terminal's current width (read at each redraw) and cut to it, and
 * a resize lays them out again at once. A line one column too wide would wrap, and each redraw
 * would leave a stale row behind.
 */
import type { TextSink } from "../io.js";
import { fitText } from "./text-width.js";

/** Shortest time between two redraws: a terminal cannot show more, and the output stays small. */
const REDRAW_INTERVAL_MS = 80;
/** The width of a terminal that does not report one (the classic default). */
const FALLBACK_COLUMNS = 80;

/** A live line: fixed text, or a layout for a width in columns (laid out again at every redraw). */
export type LiveLine = string | ((columns: number) => string);

/** A block of live lines on a TTY. */
export class LiveArea {
  private readonly lines: LiveLine[] = [];
  /** Rows on the screen now: one per drawn line. */
  private drawn = 0;
  private drawnText = "";
  private lastDrawMs = 0;
  private pending: NodeJS.Timeout | undefined;
  private stopResize: (() => void) | undefined;

  constructor(private readonly sink: TextSink) {}

  /**
   * Columns a line may take: one less than the terminal's width, so that the cursor never rests in
   * the last column, where terminals disagree about when the line wraps.
   */
  columns(): number {
    return Math.max(1, (this.sink.columns ?? FALLBACK_COLUMNS) - 1);
  }

  /** Sets line `index` (a board) and redraws soon; `""` hides it. */
  set(index: number, line: LiveLine): void {
    while (this.lines.length <= index) this.lines.push("");
    if (this.lines[index] === line) return;
    this.lines[index] = line;
    this.schedule();
  }

  /** Prints `text` (one or more lines) on `sink` above the live block. */
  print(sink: TextSink, text: string): void {
    this.erase();
    sink.write(text.endsWith("\n") ? text : `${text}\n`);
    this.draw();
  }

  /** Removes the block for good (at the end of a command, or before the process quits). */
  close(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.stopResize?.();
    this.stopResize = undefined;
    this.erase();
    this.lines.length = 0;
  }

  private schedule(): void {
    if (Date.now() - this.lastDrawMs >= REDRAW_INTERVAL_MS) {
      this.redraw();
      return;
    }
    // Coalesce bursts of progress events into one redraw.
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.redraw();
    }, REDRAW_INTERVAL_MS);
  }

  /** Replaces the block with its lines as they are now, unless that would draw the same text again. */
  private redraw(): void {
    if (this.drawn > 0 && this.render() === this.drawnText) return;
    this.erase();
    this.draw();
  }

  private render(): string {
    const columns = this.columns();
    return this.lines
      .map((line) => fitText(typeof line === "string" ? line : line(columns), columns))
      .filter((line) => line !== "")
      .map((line) => `${line}\n`)
      .join("");
  }

  private erase(): void {
    if (this.drawn === 0) return;
    // To the first column (the terminal may have echoed `^C` after the block), up over the block,
    // then clear to the end of the screen.
    this.sink.write(`\r\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
    this.drawnText = "";
  }

  private draw(): void {
    const text = this.render();
    if (text === "") return;
    // Lines were laid out for the width before a resize: lay them out again at once. The erase
    // counts one row per line, as a terminal that keeps its rows on a resize (xterm, the Linux
    // console) has them; one that re-wraps old rows (many do) may keep a fragment of the top line
    // after a shrink — once, where counting re-wrapped rows would erase result lines above the block
    // on the others.
    this.stopResize ??= this.sink.onResize?.(() => {
      this.erase();
      this.draw();
    });
    this.sink.write(text);
    this.drawn = text.split("\n").length - 1;
    this.drawnText = text;
    this.lastDrawMs = Date.now();
  }
}
