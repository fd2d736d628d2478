/**
 * Command-line arguments of the benchmark's own child programs (region-skip-child.ts,
 * floor-child.ts). They take what the QEMU rig gives every session — `-p URL --before no-reset
 * --after no-reset --baud N`, spelt as for the espsync CLI — plus `ADDR FILE` pairs or `--job FILE`,
 * so the rig runs them exactly like the CLI and they connect with the same options.
 */
import type { AfterMode, BeforeMode } from "../../../src/index.js";

/** What a child was asked to do. */
export interface ChildArgs {
  readonly port: string;
  readonly before: BeforeMode;
  readonly after: AfterMode;
  /** Undefined: stay at the ROM rate (what the CLI does over socket:// without --baud). */
  readonly baudRate: number | undefined;
  /** `ADDR FILE` pairs, as given. */
  readonly pairs: readonly (readonly [string, string])[];
  /** A job file (floor-child.ts). */
  readonly job: string | undefined;
}

/** `no-reset` → `no_reset`: the CLI's spelling to the library's. */
const libraryMode = (s: string): string => s.replace(/-/g, "_");

/** Parses `argv` (without node and the script); throws on anything else. */
export function parseChildArgs(argv: readonly string[]): ChildArgs {
  let port: string | undefined;
  let before = "default_reset";
  let after = "hard_reset";
  let baudRate: number | undefined;
  let job: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "-p" || a === "--port") port = value();
    else if (a === "--before") before = libraryMode(value());
    else if (a === "--after") after = libraryMode(value());
    else if (a === "--baud" || a === "-b") baudRate = Number(value());
    else if (a === "--job") job = value();
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else positional.push(a);
  }
  if (port === undefined) throw new Error("no port (-p URL)");
  if (positional.length % 2 !== 0) throw new Error(`ADDR FILE pairs expected, got ${positional.join(" ")}`);
  const pairs: [string, string][] = [];
  for (let i = 0; i < positional.length; i += 2) pairs.push([positional[i] as string, positional[i + 1] as string]);
  return { port, before: before as BeforeMode, after: after as AfterMode, baudRate, pairs, job };
}

/** Runs a child's main: exit code 0 after `main` resolves, 1 with the error on stderr otherwise. */
export function runChild(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
      process.exit(1);
    },
  );
}
