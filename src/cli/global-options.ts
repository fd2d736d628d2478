/**
 * The options every command accepts, as one declarative table, and their normalisation (esptool's
 * spellings, environment variables). Commands read the normalised {@link GlobalOptions}.
 */
import type { Argv, Options } from "yargs";
import { EspsyncError } from "../errors.js";
import { CHIP_NAMES, type AfterMode, type BeforeMode, type ChipName } from "../protocol/device.js";

/** The declarative table handed to yargs. */
export const GLOBAL_OPTIONS = {
  // Not `array: true`: that would swallow the ADDR FILE pairs after it. Repeating --port collects an array.
  port: { alias: "p", type: "string", describe: "Serial port, socket://host:port, rfc2217://host:port, sim:<chip>, auto, mac:<mac> or serial:<usb-serial>; repeat to flash several boards", group: "Connection:" },
  // A string, so that what was typed can be echoed in the error (yargs turns `abc` into NaN).
  baud: { alias: "b", type: "string", describe: "Transfer baud rate (connects at 115200 first)", default: undefined, group: "Connection:" },
  chip: { alias: "c", type: "string", describe: `Chip family: auto or ${CHIP_NAMES.join(", ")}`, group: "Connection:" },
  before: { type: "string", describe: "How to enter download mode: default-reset, usb-reset, no-reset, no-reset-no-sync", group: "Connection:" },
  after: { type: "string", describe: "What to do when done: hard-reset, soft-reset, no-reset, no-reset-stub, watchdog-reset", group: "Connection:" },
  "reset-sequence": { type: "string", describe: "Custom reset sequence, e.g. D0|R1|W100|D1|R0|W50|D0", group: "Connection:" },
  "connect-attempts": { type: "number", describe: "Connection attempts (default 7)", group: "Connection:" },
  // No yargs default: an absent --stub/--no-stub must stay distinguishable, so flasher_args.json can supply it.
  stub: { type: "boolean", describe: "Upload the flasher stub (default; --no-stub talks to the ROM only)", group: "Connection:" },
  json: { type: "boolean", default: false, describe: "Print one JSON document on stdout (human text goes to stderr)", group: "Output:" },
  quiet: { alias: "q", type: "boolean", default: false, describe: "Print only results and errors", group: "Output:" },
  verbose: { alias: "v", type: "boolean", default: false, describe: "Print more detail", group: "Output:" },
  trace: { type: "boolean", default: false, describe: "Print decoded protocol lines", group: "Output:" },
  debug: { type: "boolean", default: false, describe: "Print error causes", group: "Output:" },
} as const satisfies Record<string, Options>;

/** The options that only mean something to a command that talks to a chip. */
export const CONNECTION_OPTIONS = ["port", "baud", "chip", "before", "after", "reset-sequence", "connect-attempts", "stub", "trace"] as const;

/**
 * Hides from a command's `--help` the connection options it does not use (they are still accepted,
 * as every global option is, so that ESPSYNC_* defaults and shared scripts keep working); `uses`
 * names the ones it does use (`chip` for the image tools).
 */
export function hideUnusedConnectionOptions<T>(y: Argv<T>, uses: readonly (typeof CONNECTION_OPTIONS)[number][] = []): Argv<T> {
  return CONNECTION_OPTIONS.filter((o) => !uses.includes(o)).reduce((argv, option) => argv.hide(option), y);
}

/** Baud rates a USB-UART bridge and the ROM/stub handle. */
export const SUPPORTED_BAUDS = [9600, 57600, 74880, 115200, 230400, 460800, 921600, 1500000, 2000000, 3000000] as const;

/** Normalised global options. */
export interface GlobalOptions {
  readonly ports: readonly string[];
  /**
   * Transfer rate the user asked for (`--baud`, ESPSYNC_BAUD); absent = connect's default (921600
   * where the port sets its own rate, the ROM's 115200 on a raw TCP link).
   */
  readonly baud?: number;
  readonly chip: ChipName | "auto";
  readonly before: BeforeMode;
  readonly after: AfterMode;
  readonly resetSequence?: string;
  readonly connectAttempts: number;
  readonly stub: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly trace: boolean;
  readonly debug: boolean;
  /**
   * Which connection settings the user chose (command line or ESPSYNC_* environment). The others
   * are built-in defaults that a build's flasher_args.json may replace (see `applyBuildDefaults`).
   */
  readonly userSet: UserSetOptions;
}

/** Per connection setting: whether the command line or the environment gave it. */
export interface UserSetOptions {
  readonly chip: boolean;
  readonly before: boolean;
  readonly after: boolean;
  readonly stub: boolean;
}

/** The `--before` modes espsync knows (esptool's names). */
export const BEFORE_MODES: readonly BeforeMode[] = ["default_reset", "usb_reset", "no_reset", "no_reset_no_sync"];
/** The `--after` modes espsync knows (esptool's names). */
export const AFTER_MODES: readonly AfterMode[] = ["hard_reset", "soft_reset", "no_reset", "no_reset_stub", "watchdog_reset"];

/**
 * Reads the parsed yargs values plus ESPSYNC_* environment variables (ESPSYNC_PORT, ESPSYNC_BAUD,
 * ESPSYNC_CHIP, ESPSYNC_BEFORE, ESPSYNC_AFTER) into {@link GlobalOptions}; the command line wins.
 */
export function normaliseGlobalOptions(args: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): GlobalOptions {
  const portArg = args.port === undefined ? [] : (Array.isArray(args.port) ? args.port : [args.port]).map(String);
  const ports = portArg.length > 0 ? portArg : env.ESPSYNC_PORT ? env.ESPSYNC_PORT.split(",").map((p) => p.trim()).filter(Boolean) : [];
  const baudFrom = args.baud !== undefined ? "--baud" : env.ESPSYNC_BAUD !== undefined ? "ESPSYNC_BAUD" : undefined;
  const baudText = String(args.baud ?? env.ESPSYNC_BAUD ?? "").trim();
  const baud = baudFrom === undefined ? undefined : /^\d+$/.test(baudText) ? Number(baudText) : Number.NaN;
  if (baud !== undefined && !(SUPPORTED_BAUDS as readonly number[]).includes(baud)) {
    const what = Number.isNaN(baud) ? "is not a baud rate" : "is not a supported baud rate";
    throw new EspsyncError("BAUD_INVALID", `${baudFrom} ${JSON.stringify(baudText)} ${what}`, {
      hint: `Use one of ${SUPPORTED_BAUDS.join(", ")}`,
    });
  }
  const chipRaw = String(args.chip ?? env.ESPSYNC_CHIP ?? "auto").toLowerCase().replace(/-/g, "");
  if (chipRaw !== "auto" && !(CHIP_NAMES as readonly string[]).includes(chipRaw)) {
    throw new EspsyncError("CHIP_UNKNOWN", `unknown chip '${String(args.chip ?? env.ESPSYNC_CHIP)}'`, {
      hint: `Use auto or one of ${CHIP_NAMES.join(", ")}`,
    });
  }
  const attempts = args["connect-attempts"] === undefined ? 7 : Number(args["connect-attempts"]);
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100) {
    throw new EspsyncError("USAGE", `--connect-attempts must be a whole number from 1 to 100, got ${String(args["connect-attempts"])}`, {
      hint: "The default, 7, suits most boards",
    });
  }
  const before = args.before ?? (env.ESPSYNC_BEFORE || undefined);
  const after = args.after ?? (env.ESPSYNC_AFTER || undefined);
  return {
    ports,
    ...(baud !== undefined && { baud }),
    chip: chipRaw as ChipName | "auto",
    before: parseMode(args.before === undefined ? "ESPSYNC_BEFORE" : "--before", before, BEFORE_MODES, "default_reset"),
    after: parseMode(args.after === undefined ? "ESPSYNC_AFTER" : "--after", after, AFTER_MODES, "hard_reset"),
    ...(typeof args["reset-sequence"] === "string" ? { resetSequence: args["reset-sequence"] } : {}),
    connectAttempts: attempts,
    stub: args.stub !== false,
    json: args.json === true,
    quiet: args.quiet === true,
    verbose: args.verbose === true,
    trace: args.trace === true,
    debug: args.debug === true,
    userSet: {
      chip: args.chip !== undefined || env.ESPSYNC_CHIP !== undefined,
      before: before !== undefined,
      after: after !== undefined,
      stub: args.stub !== undefined,
    },
  };
}

/** Accepts esptool's spellings with either `-` or `_` (`hard-reset`, `hard_reset`); throws USAGE naming `flag`. */
function parseMode<T extends string>(flag: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const normalised = String(value).toLowerCase().replace(/-/g, "_");
  if ((allowed as readonly string[]).includes(normalised)) return normalised as T;
  throw new EspsyncError("USAGE", `${flag} ${String(value)} is not a mode espsync knows`, {
    hint: `Use one of ${allowed.map((a) => a.replace(/_/g, "-")).join(", ")}`,
  });
}
