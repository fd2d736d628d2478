/**
 * `espsync sim`: runs the virtual chip as a server, so any host — espsync, esptool, esptool-js —
 * can flash it over raw TCP (`socket://`), RFC 2217 or a pseudo-terminal.
 */
import path from "node:path";
import { chipsWithPortKind, createVirtualChip, serveEndpoint, SIM_CHIPS, simOptions, TIMING_PROFILES } from "../../../adapters/index.js";
import { EspsyncError } from "../../errors.js";
import type { CommandSpec } from "../command.js";
import { hideUnusedConnectionOptions } from "../global-options.js";
import { EXIT } from "../exit-codes.js";

export const simCommand: CommandSpec = {
  command: "sim",
  describe: "Run a virtual ESP32-family chip and serve it over TCP, RFC 2217 or a pseudo-terminal",
  examples: [
    ["espsync sim --chip esp32 --listen 127.0.0.1:5555", "serve a virtual ESP32 for socket://127.0.0.1:5555"],
    ["espsync sim --chip esp32c3 --flash-file sim-flash/board.bin --rfc2217 127.0.0.1:4000", "persist the flash; reset lines over RFC 2217"],
    ["espsync sim --chip esp32s3 --pty", "create a pseudo-terminal and print its path"],
  ],
  builder: (y) =>
    hideUnusedConnectionOptions(y, ["chip"])
      // The chips the simulator models, not every chip espsync can flash.
      .describe("chip", `Simulated chip: ${SIM_CHIPS.join(", ")} (default esp32)`)
      .option("listen", { type: "string", describe: "Serve raw TCP on HOST:PORT (what esptool calls socket://)", group: "Simulator:" })
      .option("rfc2217", { type: "string", describe: "Serve RFC 2217 on HOST:PORT (DTR/RTS drive the reset model)", group: "Simulator:" })
      .option("pty", { type: "boolean", default: false, describe: "Serve on a new pseudo-terminal and print its path", group: "Simulator:" })
      .option("flash-size", { type: "string", default: "4MB", describe: "Flash size: 2MB, 4MB, 8MB or 16MB", group: "Simulator:" })
      .option("flash-file", { type: "string", describe: "Keep the flash in this file across restarts (created erased when missing)", group: "Simulator:" })
      .option("mac", { type: "string", describe: "Factory MAC, e.g. 24:0a:c4:00:00:01", group: "Simulator:" })
      .option("seed", { type: "number", describe: "Derive a deterministic MAC from this number", group: "Simulator:" })
      .option("boot", { type: "string", choices: ["download", "app"], default: "download", describe: "State at start", group: "Simulator:" })
      .option("sdm", { type: "boolean", default: false, describe: "Secure Download Mode: the ROM refuses register reads, digests and the stub", group: "Simulator:" })
      .option("flash-encryption", { type: "boolean", default: false, describe: "Flash encryption enabled (FLASH_CRYPT_CNT odd): digests are of the ciphertext", group: "Simulator:" })
      // A string, so that `--usb` alone keeps meaning the USB-Serial/JTAG port and `--usb otg` picks the other.
      .option("usb", {
        type: "string",
        describe: `Reach the chip over its own USB port: --usb (or --usb jtag) USB-Serial/JTAG, --usb otg the ROM's USB-OTG port (${chipsWithPortKind("usb-otg").join(", ")})`,
        group: "Simulator:",
      })
      .option("timing", { type: "string", choices: Object.keys(TIMING_PROFILES), describe: "Model link and flash timing on a virtual clock (benchmarks)", group: "Simulator:" })
      .option("delay", { type: "number", describe: "Milliseconds the chip waits before acknowledging each flash data block (0 to 10000)", group: "Simulator:" })
      // `sim` serves a chip; it connects to none, so the connection and protocol-output options do not apply.
      .hide("json"),
  run: async (args, ctx) => {
    if (args.listen === undefined && args.rfc2217 === undefined && args.pty !== true) {
      throw new EspsyncError("USAGE", "espsync sim needs at least one of --listen, --rfc2217 or --pty", {
        hint: "For example: espsync sim --chip esp32 --listen 127.0.0.1:5555",
      });
    }
    const chipName = ctx.globals.chip === "auto" ? "esp32" : ctx.globals.chip;
    // The same settings a sim: URL takes, validated by the same code.
    const settings: [string, string][] = [["flash", String(args["flash-size"])], ["boot", String(args.boot)]];
    if (typeof args["flash-file"] === "string") settings.push(["file", path.resolve(ctx.io.cwd, args["flash-file"])]);
    if (typeof args.mac === "string") settings.push(["mac", args.mac]);
    if (typeof args.seed === "number") settings.push(["seed", String(args.seed)]);
    if (args.sdm === true) settings.push(["sdm", "1"]);
    if (args["flash-encryption"] === true) settings.push(["encrypted", "1"]);
    if (typeof args.usb === "string") settings.push(["usb", args.usb === "" ? "1" : args.usb]);
    if (typeof args.timing === "string") settings.push(["timing", args.timing]);
    if (args.delay !== undefined) settings.push(["delay", String(args.delay)]);
    const chip = createVirtualChip(simOptions(chipName, settings, `for espsync sim --chip ${chipName}`));
    const server = await serveEndpoint(chip, {
      ...(typeof args.listen === "string" ? { listen: args.listen } : {}),
      ...(typeof args.rfc2217 === "string" ? { rfc2217: args.rfc2217 } : {}),
      pty: args.pty === true,
    });
    for (const address of Object.values(server.addresses)) ctx.say(`espsync sim: ${chipName} serving on ${address}`);
    ctx.say("press Ctrl-C to stop");
    await new Promise<void>((resolve) => {
      if (ctx.io.signal.aborted) resolve();
      else ctx.io.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await server.close();
    // The flash file is written lazily; make sure the last change is on disk before exiting.
    chip.flushFlashFile();
    return EXIT.ok;
  },
};
