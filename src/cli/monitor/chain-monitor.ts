/**
 * `flash --monitor`: after flashing, the console on every board that flashed, all at once, each
 * with its own outcome. With several boards every console line carries its port, so the boards'
 * output can be told apart.
 */
import { EspsyncError } from "../../errors.js";
import { prefixLines, type BoardOutcome } from "../boards.js";
import { EXIT, exitCodeFor } from "../exit-codes.js";
import type { Output } from "../render/output.js";
import { renderError } from "../render-error.js";
import { monitorPort, monitorToJson, type MonitorJson } from "./monitor-port.js";
import type { MonitorSettings } from "./monitor-options.js";

/** One board's console outcome. */
export interface Monitored {
  /** `null` when the console failed (see `error`). */
  readonly json: MonitorJson | null;
  readonly error?: unknown;
  readonly exitCode: number;
}

/** Options of {@link monitorFlashedBoards}. */
export interface ChainOptions {
  readonly signal: AbortSignal;
  readonly out: Output;
  readonly debug: boolean;
}

/**
 * Runs the console on every board whose flash succeeded, in parallel; never rejects. The result
 * has one entry per outcome, `undefined` for a board that was not monitored (its flash failed).
 */
export function monitorFlashedBoards(outcomes: readonly BoardOutcome<unknown>[], settings: MonitorSettings, options: ChainOptions): Promise<(Monitored | undefined)[]> {
  const several = outcomes.length > 1;
  return Promise.all(
    outcomes.map(async (outcome): Promise<Monitored | undefined> => {
      if (outcome.exitCode !== EXIT.ok || outcome.port === undefined) return undefined;
      const prefix = several ? `[${outcome.url}] ` : "";
      try {
        const result = await monitorPort(outcome.port, settings, { signal: options.signal, out: options.out, reset: true, prefix });
        // Ctrl-C while waiting for an expected line is an interruption, not a pass.
        if (result.outcome === "stopped" && settings.expect) {
          const error = new EspsyncError("INTERRUPTED", `${outcome.url}: stopped before a line matched /${settings.expect.source}/`, { hint: "Run it again and let it finish" });
          return { json: monitorToJson(result), error, exitCode: EXIT.interrupted };
        }
        return { json: monitorToJson(result), exitCode: EXIT.ok };
      } catch (error) {
        options.out.stderr(prefixLines(prefix, renderError(error, options.debug)));
        return { json: null, error, exitCode: exitCodeFor(error) };
      }
    }),
  );
}

/** Each board's outcome with its console's failure folded in (a failed flash keeps its own). */
export function withMonitorOutcomes<R>(outcomes: readonly BoardOutcome<R>[], monitored: readonly (Monitored | undefined)[]): BoardOutcome<R>[] {
  return outcomes.map((outcome, i) => {
    const m = monitored[i];
    if (m === undefined || outcome.exitCode !== EXIT.ok || m.exitCode === EXIT.ok) return outcome;
    return { ...outcome, exitCode: m.exitCode, ...(m.error !== undefined && { error: m.error }) };
  });
}
