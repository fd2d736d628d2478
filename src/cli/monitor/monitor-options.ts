/**
 * The options of the serial console (`monitor`, and `flash --monitor`), checked before any port
 * is opened: the pattern compiles, the timeout is a positive number, the baud rate is one a UART
 * bridge can do.
 */
import type { Argv } from "yargs";
import { EspsyncError } from "../../errors.js";
import { SUPPORTED_BAUDS } from "../global-options.js";

/** Console baud rate of ESP-IDF and Arduino firmware by default. */
export const DEFAULT_MONITOR_BAUD = 115200;
/** How long `--expect` waits when no `--timeout` is given. */
export const DEFAULT_EXPECT_TIMEOUT_S = 30;

/** Checked console options. */
export interface MonitorSettings {
  readonly baud: number;
  readonly expect?: RegExp;
  readonly timeoutMs?: number;
}

/** Adds `--expect`, `--timeout`, `--monitor-baud`. */
export function withMonitorOptions(y: Argv): Argv {
  return y
    .option("expect", { type: "string", describe: "Succeed (exit 0) at the first console line matching this regular expression", group: "Monitor:" })
    .option("timeout", { type: "number", describe: `Give up after this many seconds (default ${DEFAULT_EXPECT_TIMEOUT_S} with --expect; exit 4)`, group: "Monitor:" })
    .option("monitor-baud", { type: "number", default: DEFAULT_MONITOR_BAUD, describe: "Console baud rate", group: "Monitor:" });
}

/** Parses and checks the console options; throws USAGE / BAUD_INVALID. */
export function parseMonitorSettings(args: Record<string, unknown>): MonitorSettings {
  const baud = Number(args["monitor-baud"] ?? DEFAULT_MONITOR_BAUD);
  if (!(SUPPORTED_BAUDS as readonly number[]).includes(baud)) {
    throw new EspsyncError("BAUD_INVALID", `unsupported --monitor-baud ${String(args["monitor-baud"])}`, { hint: `Use one of ${SUPPORTED_BAUDS.join(", ")} (firmware usually prints at 115200)` });
  }
  let expect: RegExp | undefined;
  if (typeof args.expect === "string") {
    try {
      expect = new RegExp(args.expect);
    } catch (cause) {
      throw new EspsyncError("USAGE", `--expect ${JSON.stringify(args.expect)} is not a valid regular expression: ${(cause as Error).message}`, {
        hint: "Quote the pattern for your shell, e.g. --expect 'Hello world!'",
        cause,
      });
    }
  }
  let timeoutMs: number | undefined;
  if (args.timeout !== undefined) {
    const s = Number(args.timeout);
    if (!Number.isFinite(s) || s <= 0) {
      throw new EspsyncError("USAGE", `--timeout ${String(args.timeout)} is not a positive number of seconds`, { hint: "For example: --timeout 20" });
    }
    timeoutMs = Math.round(s * 1000);
  } else if (expect !== undefined) timeoutMs = DEFAULT_EXPECT_TIMEOUT_S * 1000;
  return { baud, ...(expect !== undefined && { expect }), ...(timeoutMs !== undefined && { timeoutMs }) };
}
