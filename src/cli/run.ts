/**
 * The programmatic entry point of the CLI: `run(argv, io)` parses the arguments with yargs, runs
 * one command and returns the exit code. The binary and the tests both go through here.
 */
import yargs, { type Argv } from "yargs";
import { EspsyncError } from "../errors.js";
import { COMMANDS } from "./commands/index.js";
import type { CommandContext, CommandSpec } from "./command.js";
import { EXIT, exitCodeFor } from "./exit-codes.js";
import { GLOBAL_OPTIONS, normaliseGlobalOptions } from "./global-options.js";
import type { CliIo, TextSink } from "./io.js";
import { errorToJson, renderError } from "./render-error.js";
import { missingArgumentsError } from "./missing-args.js";
import { unknownArgumentsError } from "./unknown-args.js";
import { VERSION } from "./version.js";

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let chosen: { spec: CommandSpec; args: Record<string, unknown> } | undefined;
  const parser = buildParser(io, (spec, args) => {
    chosen = { spec, args };
  });
  const parsed = await new Promise<{ error?: Error; args: Record<string, unknown>; output: string }>((resolve) => {
    parser.parse([...argv], {}, (error: Error | undefined, args: Record<string, unknown>, output: string) => resolve({ ...(error ? { error } : {}), args, output }));
  });
  if (parsed.error) {
    const error =
      unknownArgumentsError(parsed.args, argv, COMMANDS) ??
      missingArgumentsError(parsed.args, COMMANDS) ??
      new EspsyncError("USAGE", parsed.error.message, { hint: "Run `espsync --help` (or `espsync <command> --help`) for usage and examples." });
    io.stderr.write(renderError(error, false));
    // --json promises one JSON document on stdout, a refused command line included.
    if (parsed.args.json === true) io.stdout.write(`${JSON.stringify({ ok: false, error: errorToJson(error) }, null, 2)}\n`);
    return EXIT.usage;
  }
  if (parsed.output) {
    io.stdout.write(`${parsed.output}\n`);
    return EXIT.ok;
  }
  if (!chosen) {
    io.stderr.write(renderError(new EspsyncError("USAGE", "no command given", { hint: "Run `espsync --help` to see the commands" }), false));
    return EXIT.usage;
  }
  return runCommand(chosen.spec, chosen.args, io);
}

async function runCommand(spec: CommandSpec, args: Record<string, unknown>, io: CliIo): Promise<number> {
  const json = args.json === true;
  const debug = args.debug === true;
  try {
    const globals = normaliseGlobalOptions(args, io.env);
    const human = globals.json ? io.stderr : io.stdout;
    const ctx: CommandContext = {
      io,
      globals,
      say: (line) => {
        if (!globals.quiet) human.write(`${line}\n`);
      },
      warn: (line) => io.stderr.write(`warning: ${line}\n`),
      detail: (line) => {
        if (globals.verbose) human.write(`${line}\n`);
      },
      emitJson: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    };
    return await spec.run(args, ctx);
  } catch (error) {
    io.stderr.write(renderError(error, debug));
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: errorToJson(error) }, null, 2)}\n`);
    return exitCodeFor(error);
  }
}

/** Help in a pipe or a file: one width everywhere, so the text does not depend on where it ran. */
export const PIPED_HELP_COLUMNS = 100;
/** Wider than this, help lines get too long to read comfortably. */
export const MAX_HELP_COLUMNS = 120;
/** Narrower than this, yargs' columns no longer fit side by side. */
const MIN_HELP_COLUMNS = 40;

/** The width `--help` wraps at: the terminal's (within reason), or {@link PIPED_HELP_COLUMNS} when stdout is no terminal. */
export function helpWidth(stdout: TextSink): number {
  if (!stdout.isTTY || stdout.columns === undefined || stdout.columns <= 0) return PIPED_HELP_COLUMNS;
  return Math.max(MIN_HELP_COLUMNS, Math.min(MAX_HELP_COLUMNS, stdout.columns));
}

function buildParser(io: CliIo, choose: (spec: CommandSpec, args: Record<string, unknown>) => void): Argv {
  let parser = yargs()
    .scriptName("espsync")
    .usage("espsync <command> [options]\n\nFlash ESP32-family chips, writing only the 4 KiB sectors that differ.")
    .version(VERSION)
    .options(GLOBAL_OPTIONS)
    .strict()
    // Messages in English like the rest of espsync's, whatever the host's locale.
    .detectLocale(false)
    .demandCommand(1, "no command given")
    .recommendCommands()
    .exitProcess(false)
    .wrap(helpWidth(io.stdout))
    .epilogue("Exit codes: 0 ok, 1 unexpected, 2 usage or bad input, 3 port or connection, 4 verify mismatch, 5 chip or image refused, 130 interrupted.");
  for (const spec of COMMANDS) {
    parser = parser.command(
      [spec.command, ...(spec.aliases ?? [])],
      spec.describe,
      (y) => {
        let built = spec.builder ? spec.builder(y) : y;
        for (const [example, description] of spec.examples) built = built.example(example, description);
        return built;
      },
      (args) => choose(spec, args as Record<string, unknown>),
    );
  }
  return parser;
}
