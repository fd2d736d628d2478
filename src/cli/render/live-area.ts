/**
 * The redrawn block of progress lines at the bottom of a terminal, one line per board. Permanent
 * lines (results, warnings) are printed above it: clear the block, print, redraw. Only ever used
 * when the sink is a TTY — everywhere else progress is plain lines (see progress-view.ts), so logs
 * never contain escape codes.
 */
import type { TextSink } from "../io.js";

/** Shortest time between two redraws: a terminal cannot show more, and the output stays small. */
const REDRAW_INTERVAL_MS = 80;

/** A block of live lines on a TTY. */
export class LiveArea {
  private readonly lines: string[] = [];
  private drawn = 0;
  private lastDrawMs = 0;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: TextSink,
    private readonly columns: number = 100,
  ) {}

  /** Sets line `index` (a board) and redraws soon. */
  set(index: number, text: string): void {
    while (this.lines.length <= index) this.lines.push("");
    if (this.lines[index] === text) return;
    this.lines[index] = text;
    this.schedule();
  }

  /** Prints `text` (one or more lines) on `sink` above the live block. */
  print(sink: TextSink, text: string): void {
    this.erase();
    sink.write(text.endsWith("\n") ? text : `${text}\n`);
    this.draw();
  }

  /** Removes the block for good (at the end of a command). */
  close(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.erase();
    this.lines.length = 0;
  }

  private schedule(): void {
    const now = Date.now();
    if (now - this.lastDrawMs >= REDRAW_INTERVAL_MS) {
      this.erase();
      this.draw();
      return;
    }
    // Coalesce bursts of progress events into one redraw.
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.erase();
      this.draw();
    }, REDRAW_INTERVAL_MS);
  }

  private erase(): void {
    if (this.drawn === 0) return;
    // Cursor up over the block, then clear to the end of the screen.
    this.sink.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private draw(): void {
    const visible = this.lines.filter((l) => l !== "");
    if (visible.length === 0) return;
    this.sink.write(`${visible.map((l) => l.slice(0, this.columns - 1)).join("\n")}\n`);
    this.drawn = visible.length;
    this.lastDrawMs = Date.now();
  }
}
