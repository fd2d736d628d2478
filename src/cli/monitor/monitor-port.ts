/**
 * One console session on a port: open at the console baud rate, reset the board into its
 * firmware, print its lines until the outcome (match, crash, timeout, Ctrl-C), close the port.
 */
import type { Port } from "../../transport/port.js";
import { flushVirtualFlash } from "../ports/connect-board.js";
import type { Output } from "../render/output.js";
import type { MonitorSettings } from "./monitor-options.js";
import { runMonitor, type MonitorResult } from "./run-monitor.js";

/** The JSON form of a console session's outcome. */
export interface MonitorJson {
  readonly outcome: MonitorResult["outcome"];
  /** The line that matched `--expect`. */
  readonly line?: string;
  readonly elapsedMs: number;
}

/** Options of {@link monitorPort}. */
export interface MonitorPortOptions {
  readonly signal: AbortSignal;
  readonly out: Output;
  /** Reset the board into its firmware first. */
  readonly reset: boolean;
  /** Put before every printed line (`[port] ` when several consoles run at once), default none. */
  readonly prefix?: string;
}

/** Runs the console on `port` (closed on entry and on return). Rejects with MONITOR_* / PORT_* errors. */
export async function monitorPort(port: Port, settings: MonitorSettings, options: MonitorPortOptions): Promise<MonitorResult> {
  const { out } = options;
  const prefix = options.prefix ?? "";
  await port.open(settings.baud);
  // A console waits for Ctrl-C even on a port that holds no OS handle (the in-process simulator):
  // without this the process would end as soon as the board falls silent.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    if (settings.expect) out.say(`${prefix}--- waiting up to ${(settings.timeoutMs ?? 0) / 1000} s for /${settings.expect.source}/ on ${port.info.path} ---`);
    else out.say(`${prefix}--- console on ${port.info.path} at ${settings.baud} baud; Ctrl-C to stop ---`);
    const result = await runMonitor({
      port,
      reset: options.reset,
      ...(settings.expect && { expect: settings.expect }),
      ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
      signal: options.signal,
      onLine: (line) => out.say(`${prefix}${line}`),
      onNote: (note) => out.warn(`${prefix}${note}`),
    });
    if (result.outcome === "matched") out.result(`${prefix}${out.paint(`--- matched: ${result.line ?? ""}`, "green")}`);
    return result;
  } finally {
    clearInterval(keepAlive);
    await port.close();
    flushVirtualFlash(port);
  }
}

/** The outcome in its JSON form. */
export function monitorToJson(result: MonitorResult): MonitorJson {
  return { outcome: result.outcome, ...(result.line !== undefined && { line: result.line }), elapsedMs: Math.round(result.elapsedMs) };
}
