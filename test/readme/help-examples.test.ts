/**
 * Every example every command's `--help` shows, run as written, in the README tests' world: a
 * folder holding an ESP-IDF build (hello_world for the ESP32-C3), its three files by name, an ELF,
 * a partition CSV and a merged image; two boards already holding the build, `/dev/ttyUSB0` (a CP210x
 * board, the one `auto` finds, USB serial 0001) and `/dev/ttyUSB1` (a bridge the port list does not
 * take for an ESP board); `lab-host` and `boardhost` reaching an `espsync serve` of `/dev/ttyUSB0`.
 * Servers (`sim`, `serve`, a console without `--expect`) run until stopped as with Ctrl-C. Every
 * example must exit 0. The commands' examples are read from the command table itself.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { hasSocat } from "../adapters/serial/pty-pair.js";
import { FIRMWARE_DIR, HAS_FIRMWARE, NO_FIRMWARE } from "../cli/sim-rig.js";
import { freePort } from "../adapters/rfc2217/ser2net.js";
import { C6_PAGE_32K } from "../image/elf-cases.js";
import { makeElf } from "../image/make-elf.js";
import { parseCommandLine, type ReadmeCommand } from "./readme-blocks.js";
import { espsyncArgs, runCommand, startCommand, type BackgroundCommand } from "./readme-runner.js";
import { helloWorld, idfBuild, idfBuildImages, ReadmeWorld, SINGLE_APP_CSV, type IdfChip } from "./readme-world.js";

/** What a running example prints once it is up (servers and a plain console run until stopped). */
const RUNS_UNTIL_STOPPED: ReadonlyArray<[RegExp, RegExp]> = [
  [/^espsync sim /, /serving on/],
  [/^espsync serve /, /ready/],
  [/^espsync monitor (?!.*--expect)/, /---/],
];

/** A Rust ESP32-C3 ELF (espflash's test app). */
const C3_ELF = path.join(FIRMWARE_DIR, "espflash", "elf", "esp32c3.elf");

const stops: BackgroundCommand[] = [];
afterEach(async () => {
  for (const server of stops.splice(0)) await server.stop();
});

/** The world of one example: `chip` is what the build and the boards are. */
async function exampleWorld(chip: IdfChip): Promise<ReadmeWorld> {
  const w = new ReadmeWorld();
  const hello = helloWorld(chip);
  idfBuild(w, chip);
  w.put("bootloader.bin", hello.bootloader);
  w.put("partition-table.bin", hello.table);
  w.put("app.bin", hello.app);
  w.put("app.elf", C3_ELF);
  w.put("target/riscv32imc-unknown-none-elf/release/app", C3_ELF);
  w.write("build/app.elf", makeElf(C6_PAGE_32K.spec));
  w.write("partitions.csv", SINGLE_APP_CSV);
  w.put("firmware.bin", path.join(FIRMWARE_DIR, "micropython-esp32", "build-0484727.bin"));
  const boards = [w.plug("/dev/ttyUSB0", chip, { serialNumber: "0001" }), w.plug("/dev/ttyUSB1", chip, { serialNumber: "0002", likelyEsp: false })];
  // As after `espsync flash --build build`: verify and partitions --from-chip have something to read.
  for (const board of boards) for (const { addr, bytes } of idfBuildImages(chip)) board.flash.bytes.set(bytes, addr);
  // The remote boards of the examples: /dev/ttyUSB0 shared by `espsync serve` here.
  const port = await freePort();
  const serve = startCommand(w, parseCommandLine(`espsync serve --listen 127.0.0.1:${port} -p /dev/ttyUSB0`));
  stops.push(serve);
  await serve.waitFor(/ready/);
  w.route("lab-host:4000", `127.0.0.1:${port}`);
  w.route("boardhost:4000", `127.0.0.1:${port}`);
  return w;
}

/** Runs an example: to its end, or (a server, a console) until it is up, then stopped. */
async function runExample(w: ReadmeWorld, command: ReadmeCommand): Promise<{ code: number; output: string }> {
  const upWhen = RUNS_UNTIL_STOPPED.find(([form]) => form.test(command.source))?.[1];
  if (upWhen === undefined) {
    const result = await runCommand(w, command);
    return { code: result.code, output: result.stdout + result.stderr };
  }
  const server = startCommand(w, command);
  await server.waitFor(upWhen);
  const stopped = await server.stop();
  // Stopped as with Ctrl-C: a server or a console that was only watched has done its job.
  return { code: stopped.code === 130 ? 0 : stopped.code, output: stopped.stdout + stopped.stderr };
}

const EXAMPLES = COMMANDS.flatMap((spec) => spec.examples.map(([text, what]) => ({ text, what })));

describe.skipIf(!HAS_FIRMWARE)(`every --help example runs as written (skipped when ${NO_FIRMWARE})`, () => {
  it("the examples are commands of espsync", () => {
    expect(EXAMPLES.length).toBeGreaterThan(40);
    for (const { text } of EXAMPLES) expect(espsyncArgs(parseCommandLine(text)), text).toBeDefined();
  });

  it.for(EXAMPLES)("$text  ($what)", { timeout: 60_000 }, async ({ text }, { skip }) => {
    if (/--pty/.test(text) && !hasSocat) skip("a pseudo-terminal needs socat");
    // The UF2 example names an ESP32-S3 build; the others the ESP32-C3 one.
    const w = await exampleWorld(/esp32s3/.test(text) ? "esp32s3" : "esp32c3");
    // `verify app.elf` checks the board holds the image made from the ELF: flash it there first.
    if (/verify -p auto app\.elf/.test(text)) expect((await runCommand(w, parseCommandLine("espsync flash -p auto app.elf"))).code).toBe(0);
    const result = await runExample(w, parseCommandLine(text));
    expect(result.code, result.output).toBe(0);
    // Output files land where the example says.
    const output = / -o (\S+)/.exec(text)?.[1] ?? (/^espsync read .* (\S+)$/.exec(text)?.[1]);
    if (output !== undefined) expect(existsSync(w.file(output)), output).toBe(true);
  });
});
