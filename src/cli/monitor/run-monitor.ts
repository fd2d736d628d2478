/**
 * The serial console: reset the board into its firmware, print what it says, and — for CI smoke
 * tests — stop as soon as the expected line or a crash appears, or when the time is up.
 */
import { EspsyncError } from "../../errors.js";
import type { Port } from "../../transport/port.js";
import { LineWatcher } from "./line-watcher.js";

/** Options of {@link runMonitor}. The port must already be open. */
export interface MonitorOptions {
  readonly port: Port;
  /** Pulse EN (RTS) with IO0 high so the firmware starts; skipped when the port has no lines. */
  readonly reset: boolean;
  /** Stop with success at the first line matching this. */
  readonly expect?: RegExp;
  /** Give up after this long (required with `expect`, optional otherwise). */
  readonly timeoutMs?: number;
  /** Stops the monitor (Ctrl-C). */
  readonly signal: AbortSignal;
  /** Every complete console line. */
  readonly onLine: (line: string) => void;
  /** Informational messages (reset skipped…). */
  readonly onNote?: (note: string) => void;
}

/** How the monitor ended. */
export interface MonitorResult {
  readonly outcome: "matched" | "stopped" | "timeout-without-expect";
  /** The line that matched. */
  readonly line?: string;
  readonly elapsedMs: number;
}

/** How long EN is held low for a reset (esptool's hard reset uses 100 ms). */
const RESET_PULSE_MS = 100;

/**
 * Runs the console. Resolves on a match, on Ctrl-C, or on timeout without `expect`; rejects with
 * MONITOR_PANIC on a crash line, MONITOR_TIMEOUT when `expect` was not seen in time, PORT_CLOSED
 * when the link drops.
 */
export async function runMonitor(options: MonitorOptions): Promise<MonitorResult> {
  const started = Date.now();
  const watcher = new LineWatcher(options.expect);
  const elapsed = (): number => Date.now() - started;
  return new Promise<MonitorResult>((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    const finish = (outcome: MonitorResult | Error): void => {
      for (const cleanup of cleanups.splice(0)) cleanup();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    cleanups.push(
      options.port.onData((chunk) => {
        for (const { line, verdict } of watcher.push(chunk)) {
          options.onLine(line);
          if (verdict.kind === "panic") {
            finish(new EspsyncError("MONITOR_PANIC", `the firmware crashed: ${line.trim()}`, {
              hint: "Decode the backtrace with the ELF of this build (idf.py monitor or addr2line) and fix the crash",
            }));
            return;
          }
          if (verdict.kind === "match") {
            finish({ outcome: "matched", line, elapsedMs: elapsed() });
            return;
          }
        }
        const partial = watcher.peekPartial();
        if (partial?.verdict.kind === "match") finish({ outcome: "matched", line: partial.line, elapsedMs: elapsed() });
      }),
    );
    cleanups.push(
      options.port.onClose((error) =>
        finish(new EspsyncError("PORT_CLOSED", `the port ${options.port.info.path} closed while monitoring`, {
          hint: "Check the cable and that no other program took the port",
          ...(error ? { cause: error } : {}),
        })),
      ),
    );
    const onAbort = (): void => finish({ outcome: "stopped", elapsedMs: elapsed() });
    options.signal.addEventListener("abort", onAbort, { once: true });
    cleanups.push(() => options.signal.removeEventListener("abort", onAbort));
    if (options.timeoutMs !== undefined) {
      const timer = setTimeout(() => {
        if (options.expect) {
          finish(new EspsyncError("MONITOR_TIMEOUT", `no line matched /${options.expect.source}/ within ${options.timeoutMs! / 1000} s`, {
            hint: "Check that the firmware prints the expected line, or raise --timeout",
          }));
        } else finish({ outcome: "timeout-without-expect", elapsedMs: elapsed() });
      }, options.timeoutMs);
      cleanups.push(() => clearTimeout(timer));
    }
    if (options.signal.aborted) onAbort();
    else if (options.reset) void pulseReset(options).catch((error: unknown) => finish(error instanceof Error ? error : new Error(String(error))));
  });
}

async function pulseReset(options: MonitorOptions): Promise<void> {
  if (!options.port.capabilities.controlLines) {
    options.onNote?.(`${options.port.info.path} has no DTR/RTS lines; not resetting (press the board's reset button)`);
    return;
  }
  // IO0 high (DTR off) while EN is pulled low (RTS on), then release: the chip boots its firmware.
  await options.port.setLines({ dtr: false, rts: true });
  await new Promise((r) => setTimeout(r, RESET_PULSE_MS));
  await options.port.setLines({ dtr: false, rts: false });
}
