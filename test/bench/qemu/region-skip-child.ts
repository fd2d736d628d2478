/**
 * The `region-skip` strategy as a program of its own (esptool `--skip-flashed`, espflash): reads
 * and validates the `ADDR FILE` pairs as the CLI does, connects through espsync's library with the
 * options the rig passes (`-p`, `--before`, `--after`, `--baud`), runs the benchmark's region-skip
 * strategy over the Device, leaves the chip as asked and exits. The benchmark times the whole
 * process, like every other strategy. Prints the strategy's outcome as one JSON line on stdout.
 */
import { connect, openPort, readImageSet, validateImageSet } from "../../../src/index.js";
import { runRegionSkip } from "../strategies.js";
import { parseChildArgs, runChild } from "./child-args.js";

runChild(async () => {
  const args = parseChildArgs(process.argv.slice(2));
  const images = await readImageSet({ pairs: args.pairs });
  validateImageSet(images);
  const device = await connect(openPort(args.port), { before: args.before, ...(args.baudRate !== undefined && { baudRate: args.baudRate }) });
  try {
    // The rate only informs espsync's planner, which region-skip does not use.
    const outcome = await runRegionSkip({ device, images, baudRate: args.baudRate ?? 115200 });
    await device.finish(args.after);
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  } finally {
    await device.close();
  }
});
