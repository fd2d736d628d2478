/**
 * Where a command's human output goes, with progress in mind: on a TTY the progress block lives on
 * stderr and result lines are printed above it; elsewhere progress is plain, throttled lines on
 * stderr. `--json` moves human text to stderr; `--quiet` drops progress and chatter but never
 * warnings, errors or results the user asked for.
 */
import type { GlobalOptions } from "../global-options.js";
import type { CliIo, TextSink } from "../io.js";
import { InterruptNotices, type InterruptReporter } from "./interrupt-notices.js";
import { LiveArea } from "./live-area.js";
import { ProgressView } from "./progress-view.js";

/** Whether to colour: a TTY, and no NO_COLOR (https://no-color.org) in the environment. */
export function useColor(io: CliIo, sink: TextSink): boolean {
  return sink.isTTY && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === "");
}

/** Human output of one command run. */
export class Output {
  /** Result lines: stdout, or stderr with `--json`. */
  readonly human: TextSink;
  private readonly live: LiveArea | undefined;
  private readonly color: boolean;
  private readonly notices: InterruptNotices;

  constructor(
    private readonly io: CliIo,
    private readonly globals: GlobalOptions,
  ) {
    this.human = globals.json ? io.stderr : io.stdout;
    this.live = io.stderr.isTTY && !globals.quiet ? new LiveArea(io.stderr) : undefined;
    this.color = useColor(io, this.human);
    // Ctrl-C notices are printed even with --quiet: they answer the user's own keystroke.
    this.notices = new InterruptNotices(io, (text) => this.stderr(text), () => this.live?.close());
  }

  /** Lets Ctrl-C tell what a board is doing and, on a quit, what state its flash is left in. */
  onInterrupt(prefix: string, reporter: InterruptReporter): void {
    this.notices.add(prefix, reporter);
  }

  /** A result line (suppressed by `--quiet`). */
  say(line: string): void {
    if (!this.globals.quiet) this.write(this.human, line);
  }

  /** A result line that `--quiet` keeps (the outcome itself). */
  result(line: string): void {
    this.write(this.human, line);
  }

  /** A warning on stderr, always. */
  warn(line: string): void {
    this.write(this.io.stderr, `warning: ${line}`);
  }

  /** Detail for `--verbose`. */
  detail(line: string): void {
    if (this.globals.verbose) this.write(this.human, line);
  }

  /** Raw text on stderr (errors, traces), above any progress block. */
  stderr(text: string): void {
    this.write(this.io.stderr, text);
  }

  /** Progress of one board (`index` orders the live lines; `prefix` names the board when several run). */
  progress(index: number, prefix: string): ProgressView {
    if (this.globals.quiet) return new ProgressView(prefix, undefined, undefined);
    if (this.live) return new ProgressView(prefix, { area: this.live, index }, undefined);
    return new ProgressView(prefix, undefined, this.io.stderr);
  }

  /** `text` in green/red/yellow when colour is on. */
  paint(text: string, colour: "green" | "red" | "yellow"): string {
    if (!this.color) return text;
    const code = { green: 32, red: 31, yellow: 33 }[colour];
    return `\x1b[${code}m${text}\x1b[0m`;
  }

  /** Removes the progress block and stops listening for Ctrl-C notices (at the end). */
  close(): void {
    this.live?.close();
    this.notices.close();
  }

  private write(sink: TextSink, text: string): void {
    if (this.live) this.live.print(sink, text);
    else sink.write(text.endsWith("\n") ? text : `${text}\n`);
  }
}
