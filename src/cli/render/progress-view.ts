/**
 * One board's progress: a bar with bytes, rate and ETA on a TTY, or — when the output is a log —
 * a plain line at every 10 % step or every 2 s, whichever comes first, and never an escape code.
 */
import type { TextSink } from "../io.js";
import { formatBytes, formatDuration, formatRate } from "./format.js";
import type { LiveArea } from "./live-area.js";

/** Plain mode prints at least this often while bytes move. */
const PLAIN_INTERVAL_MS = 2000;
/** Plain mode prints at every step of this many percent. */
const PLAIN_STEP_PERCENT = 10;
const BAR_WIDTH = 24;

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

  /** Byte progress of a named task (`writing app.bin at 0x00010000`). */
  bytes(task: string, doneBytes: number, totalBytes: number): void {
    const now = Date.now();
    if (task !== this.task) {
      this.task = task;
      this.taskStartMs = now;
      this.lastPlainMs = now;
      this.lastPlainStep = -1;
    }
    const fraction = totalBytes > 0 ? Math.min(1, doneBytes / totalBytes) : 1;
    const elapsedMs = now - this.taskStartMs;
    const rate = formatRate(doneBytes, elapsedMs);
    if (this.live) {
      const filled = Math.round(fraction * BAR_WIDTH);
      const etaMs = doneBytes > 0 && elapsedMs > 0 ? ((totalBytes - doneBytes) * elapsedMs) / doneBytes : undefined;
      const eta = etaMs === undefined || fraction >= 1 ? "" : ` ETA ${formatDuration(etaMs)}`;
      const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
      this.live.area.set(this.live.index, `${this.prefix}${task} ${bar} ${Math.floor(fraction * 100)}% ${formatBytes(doneBytes)}/${formatBytes(totalBytes)} ${rate}${eta}`);
      return;
    }
    if (!this.plain) return;
    const step = Math.floor((fraction * 100) / PLAIN_STEP_PERCENT);
    if (step > this.lastPlainStep || now - this.lastPlainMs >= PLAIN_INTERVAL_MS) {
      this.lastPlainStep = step;
      this.lastPlainMs = now;
      this.plain.write(`${this.prefix}${task}: ${Math.floor(fraction * 100)}% (${formatBytes(doneBytes)} of ${formatBytes(totalBytes)}, ${rate})\n`);
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
