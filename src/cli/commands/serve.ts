/**
 * `espsync serve`: shares the boards attached to this machine with hosts elsewhere (CI jobs) over RFC
 * 2217, one TCP port per board, with reset sequences run locally so that a client across a slow link
 * still lands in download mode. Runs until Ctrl-C.
 */
import { existsSync } from "node:fs";
import { parseListenAddress } from "../../../adapters/index.js";
import { EspsyncError } from "../../errors.js";
import type { CommandSpec } from "../command.js";
import { hideUnusedConnectionOptions } from "../global-options.js";
import { EXIT } from "../exit-codes.js";
import { portLister, portOpener } from "../ports/connect-board.js";
import { BoardHost } from "../serve/board-host.js";
import { parseServeSpecs } from "../serve/board-selection.js";
import { serveReport } from "../serve/serve-report.js";

export const serveCommand: CommandSpec = {
  command: "serve",
  describe: "Serve the boards attached to this machine over RFC 2217, one TCP port per board, resets run locally",
  examples: [
    ["espsync serve --listen 0.0.0.0:4000", "every port that looks like an ESP board, from TCP port 4000 up"],
    ["espsync serve --listen 0.0.0.0:4000 -p serial:0001 -p /dev/ttyUSB1", "these two boards on 4000 and 4001, plugged in or not"],
    ["espsync serve --listen 127.0.0.1:4000 -p 'sim:esp32?file=sim-flash/board.bin'", "a virtual ESP32, to try the set-up without hardware"],
    ["espsync flash -p rfc2217://boardhost:4000 --build build", "from another machine: flash the board on 4000"],
  ],
  // serve connects to no chip itself: the clients choose rates, resets and stubs.
  builder: (y) =>
    hideUnusedConnectionOptions(y, ["port"])
      .option("listen", { type: "string", describe: "HOST:PORT to listen on; boards get PORT, PORT+1, … (0.0.0.0 = every interface)", group: "Serve:" })
      .option("local-reset", {
        type: "boolean",
        default: true,
        describe: "Run reset sequences on this machine with esptool's timing; --no-local-reset forwards each DTR/RTS change as it arrives (like ser2net)",
        group: "Serve:",
      })
      .describe("json", "Print one JSON object per line on stdout: the mapping, then what clients do (human text goes to stderr)")
      .describe("port", "Board to serve: device path, serial:<usb serial>, sim:<chip>?… or auto (default: every port that looks like an ESP board); repeatable"),
  run: async (args, ctx) => {
    if (typeof args.listen !== "string" || args.listen === "") {
      throw new EspsyncError("USAGE", "espsync serve needs --listen HOST:PORT", {
        hint: "For example: espsync serve --listen 0.0.0.0:4000 (boards on 4000, 4001, …; 127.0.0.1 to stay on this machine)",
      });
    }
    const listen = parseListenAddress(args.listen);
    const specs = parseServeSpecs(ctx.globals.ports);
    const host = new BoardHost({
      listen,
      specs,
      localReset: args["local-reset"] !== false,
      list: portLister(ctx.io),
      openPort: portOpener(ctx.io),
      exists: (path) => path.startsWith("/") && existsSync(path),
      report: serveReport(ctx),
    });
    try {
      await host.start();
    } catch (error) {
      await host.stop();
      throw error;
    }
    ctx.say("espsync serve: press Ctrl-C to stop");
    await new Promise<void>((resolve) => {
      if (ctx.io.signal.aborted) resolve();
      else ctx.io.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await host.stop();
    ctx.say("espsync serve: stopped");
    return EXIT.ok;
  },
};
