/**
 * Everything the CLI touches of the outside world, passed in so that tests run the real CLI in
 * process with captured output, a chosen environment and a controllable interrupt.
 */
import type { OpenPortOptions, SerialPortListing } from "../../adapters/index.js";
import type { Port } from "../transport/port.js";

/** A text sink with terminal awareness. */
export interface TextSink {
  write(text: string): void;
  /** True when the sink is an interactive terminal (progress bars, colours). */
  readonly isTTY: boolean;
  /** The terminal's width in columns, read at each use (it changes on resize); absent when unknown. */
  readonly columns?: number;
  /**
   * Calls `listener` after the terminal was resized (so a live area lays itself out again at once);
   * returns the function that stops it. Absent where the sink is no terminal.
   */
  readonly onResize?: (listener: () => void) => () => void;
}

/** The CLI's view of its process. */
export interface CliIo {
  /** Results (and the single JSON document with `--json`). */
  readonly stdout: TextSink;
  /** Progress, warnings, errors, and human text when `--json` owns stdout. */
  readonly stderr: TextSink;
  /** Environment variables (ESPSYNC_PORT, ESPSYNC_BAUD, ESPSYNC_CHIP, ESPSYNC_BEFORE, ESPSYNC_AFTER, NO_COLOR, XDG_CACHE_HOME…). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  /** Aborted on Ctrl-C / SIGTERM: long operations stop at the next safe point. */
  readonly signal: AbortSignal;
  /**
   * Aborted on a second Ctrl-C, just before the process exits 130 without waiting for anything:
   * its listeners say, synchronously, what state the work is left in (which regions of the flash
   * are complete, which is partly written).
   */
  readonly quitSignal?: AbortSignal;
  /**
   * Opens ports (default: `openPort` of the adapters). Programs embedding the CLI and tests pass
   * their own, e.g. to attach a `sim:` URL to a virtual chip they keep and inspect.
   */
  readonly openPort?: (url: string, options?: OpenPortOptions) => Port;
  /** Lists serial ports (default: `listSerialPorts` of the adapters); replaced the same way. */
  readonly listSerialPorts?: () => Promise<SerialPortListing[]>;
}

/** A sink that keeps what was written, for tests and for JSON capture; `columns` plays a terminal's width. */
export function memorySink(isTTY = false, columns?: number): TextSink & { readonly text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY,
    ...(columns !== undefined && { columns }),
    write(text: string) {
      chunks.push(text);
    },
    text: () => chunks.join(""),
  };
}
