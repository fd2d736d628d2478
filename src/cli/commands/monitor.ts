/**
 * `espsync monitor`: the serial console after a reset into the firmware. With `--expect` it is a
 * smoke test: exit 0 at the first matching line, 4 on a crash line or when time runs out.
 */
import { EspsyncError } from "../../errors.js";
import { readOnlyWork } from "../board-activity.js";
import { selectOneBoard } from "../boards.js";
import type { CommandSpec } from "../command.js";
import { EXIT, exitCodeFor } from "../exit-codes.js";
import { monitorPort, monitorToJson } from "../monitor/monitor-port.js";
import { parseMonitorSettings, withMonitorOptions } from "../monitor/monitor-options.js";
import { portOpener } from "../ports/connect-board.js";
import { Output } from "../render/output.js";
import { errorToJson, renderError } from "../render-error.js";

export const monitorCommand: CommandSpec = {
  command: "monitor",
  describe: "Serial console after a reset; with --expect a smoke test (exit 0 on match, 4 on panic or timeout)",
  examples: [
    ["espsync monitor -p /dev/ttyUSB0", "watch the console; Ctrl-C to stop"],
    ["espsync monitor -p auto --expect 'Calling app_main' --timeout 20", "pass when the app starts (ESP-IDF logs the line), fail on a crash or after 20 s"],
    ["espsync monitor -p /dev/ttyUSB0 --no-reset --monitor-baud 74880", "attach without resetting, at the ROM's boot-log rate"],
  ],
  builder: (y) => withMonitorOptions(y).option("reset", { type: "boolean", default: true, describe: "Reset the board into its firmware first (--no-reset attaches as is)", group: "Monitor:" }),
  run: async (args, ctx) => {
    const settings = parseMonitorSettings(args);
    const url = await selectOneBoard("monitor", ctx);
    const out = new Output(ctx.io, ctx.globals);
    // The console stops at once on Ctrl-C; the notice says so, and a second Ctrl-C that it is harmless.
    out.onInterrupt("", readOnlyWork(() => `closing the console on ${url}`, "unchanged: the console only listens"));
    const port = portOpener(ctx.io)(url);
    let code: number;
    let json: Record<string, unknown>;
    try {
      const result = await monitorPort(port, settings, { signal: ctx.io.signal, out, reset: args.reset !== false });
      code = result.outcome === "stopped" && settings.expect ? EXIT.interrupted : EXIT.ok;
      const error = code === EXIT.interrupted ? new EspsyncError("INTERRUPTED", `stopped before a line matched /${settings.expect?.source ?? ""}/`, { hint: "Run it again and let it finish" }) : undefined;
      json = { port: url, chip: null, result: monitorToJson(result), ...(error && { error: errorToJson(error) }) };
    } catch (error) {
      if (!ctx.globals.json) throw error;
      // With --json the document still names the board; the error is printed as usual.
      out.stderr(renderError(error, ctx.globals.debug));
      ctx.emitJson({ ok: false, command: "monitor", boards: [{ port: url, chip: null, result: null, error: errorToJson(error) }] });
      return exitCodeFor(error);
    } finally {
      out.close();
    }
    if (ctx.globals.json) ctx.emitJson({ ok: code === EXIT.ok, command: "monitor", boards: [json] });
    return code;
  },
};
