/**
 * One board's progress: a bar with bytes, rate and ETA on a TTY (laid out for the terminal's width
 * by progress-line.ts), or — when the output is a log — a plain line at every 10 % step or every
 * 2 s, whichever comes first, and never an escape code.
 */
import type { TextSink } from "../io.js";
import { formatBytes, formatDuration, formatRate } from "./format.js";
import type { LiveArea } from "./live-area.js";
import { layoutProgressLine, type ProgressLineParts } from "./progress-line.js";

/** Plain mode prints at least this often while bytes move. */
const PLAIN_INTERVAL_MS = 2000;
/** Plain mode prints at every step of this many percent. */
const PLAIN_STEP_PERCENT = 10;

/** Progress of one board, drawn live or printed plainly. */
export class ProgressView {
  private task = "";
  private taskStartMs = 0;
  private lastPlainMs = 0;
  private lastPlainStep = -1;

  constructor(
    private readonly prefix: string,
    private readonly live: { area: LiveArea; index: number } | undefined,
    private readonly plain: TextSink | undefined,
  ) {}

  /**
   * Byte progress of a task: `task` is its name (`writing app.bin at 0x00010000`) or several
   * wordings of it, longest first, of which a narrow terminal shows the longest that fits.
   */
  bytes(task: string | readonly string[], doneBytes: number, totalBytes: number): void {
    const names = typeof task === "string" ? [task] : task;
    const name = names[0] ?? "";
    const now = Date.now();
    if (name !== this.task) {
      this.task = name;
      this.taskStartMs = now;
      this.lastPlainMs = now;
      this.lastPlainStep = -1;
    }
    const fraction = totalBytes > 0 ? Math.min(1, doneBytes / totalBytes) : 1;
    const elapsedMs = now - this.taskStartMs;
    const rate = elapsedMs > 0 ? formatRate(doneBytes, elapsedMs) : undefined;
    if (this.live) {
      const etaMs = doneBytes > 0 && elapsedMs > 0 ? ((totalBytes - doneBytes) * elapsedMs) / doneBytes : undefined;
      const parts: ProgressLineParts = {
        names: names.map((n) => `${this.prefix}${n}`),
        doneBytes,
        totalBytes,
        ...(rate !== undefined && { rate }),
        ...(etaMs !== undefined && fraction < 1 && { eta: `ETA ${formatDuration(etaMs)}` }),
      };
      this.live.area.set(this.live.index, (columns) => layoutProgressLine(parts, columns));
      return;
    }
    // A log gains nothing from a line before the first byte is done (a task's start event).
    if (!this.plain || doneBytes === 0) return;
    const step = Math.floor((fraction * 100) / PLAIN_STEP_PERCENT);
    if (step > this.lastPlainStep || now - this.lastPlainMs >= PLAIN_INTERVAL_MS) {
      this.lastPlainStep = step;
      this.lastPlainMs = now;
      this.plain.write(`${this.prefix}${name}: ${Math.floor(fraction * 100)}% (${formatBytes(doneBytes)} of ${formatBytes(totalBytes)}, ${rate ?? "-"})\n`);
    }
  }

  /**
   * A phase without byte counts (`connecting`, `comparing digests`); plain mode prints each once.
   * `liveText` (with changing counts) replaces `text` on a TTY.
   */
  status(text: string, liveText: string = text): void {
    if (this.live) {
      this.live.area.set(this.live.index, `${this.prefix}${liveText}`);
      return;
    }
    if (this.plain && text !== this.task) this.plain.write(`${this.prefix}${text}\n`);
    this.task = text;
  }

  /** A transient note shown only on a TTY (too chatty for a log). */
  note(text: string): void {
    this.live?.area.set(this.live.index, `${this.prefix}${text}`);
  }

  /** Clears the live line of this board. */
  clear(): void {
    this.live?.area.set(this.live.index, "");
    this.task = "";
  }
}
