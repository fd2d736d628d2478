/**
 * espsync's own report of what yargs's strict mode refuses: an unknown command, unknown options
 * (yargs lists each twice, as typed and camel-cased) and stray positionals. Each is named once,
 * as typed, with the closest valid spelling of the command's options and the command's usage.
 */
import yargs from "yargs";
import { EspsyncError } from "../errors.js";
import { closestName } from "../util/edit-distance.js";
import type { CommandSpec } from "./command.js";
import { GLOBAL_OPTIONS } from "./global-options.js";

/** The part of yargs's parser state the check reads (`getOptions` is public but not in its types). */
interface OptionTable {
  readonly key: Record<string, unknown>;
}

/** `flash-size` → `flashSize`, as yargs adds it for every dashed option. */
function camel(name: string): string {
  return name.replace(/-+([^-])/g, (_, c: string) => c.toUpperCase());
}

/** `--flash-size`, `-p` for a one-letter option, `--no-bogus` when typed negated (yargs keeps `bogus`). */
function asTyped(name: string, argv: readonly string[]): string {
  if (name.length === 1) return `-${name}`;
  const negated = argv.some((t) => t === `--no-${name}` || t.startsWith(`--no-${name}=`));
  return negated ? `--no-${name}` : `--${name}`;
}

/** The first word of a command's yargs string: its name. */
export function commandName(spec: CommandSpec): string {
  return spec.command.split(" ")[0] as string;
}

/** Every option name (and alias) `spec` accepts, the global options included, and its positionals' names. */
function knownNames(spec: CommandSpec): { options: string[]; positionals: string[] } {
  const built = spec.builder ? spec.builder(yargs().options(GLOBAL_OPTIONS)) : yargs().options(GLOBAL_OPTIONS);
  const table = (built as unknown as { getOptions(): OptionTable }).getOptions();
  return { options: Object.keys(table.key), positionals: [...spec.command.matchAll(/[<[]([\w-]+)(?:\.\.)?[>\]]/g)].map((m) => m[1] as string) };
}

/** The argument as it was typed: yargs turns `0` and `0x10` into numbers in `_`. */
function rawToken(value: unknown, argv: readonly string[], used: Set<number>): string {
  const index = argv.findIndex((token, i) => !used.has(i) && !token.startsWith("-") && (token === value || (typeof value === "number" && Number(token) === value)));
  if (index < 0) return String(value);
  used.add(index);
  return argv[index] as string;
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1] as string}`;
}

function unknownCommand(typed: string, specs: readonly CommandSpec[]): EspsyncError {
  const names = specs.flatMap((s) => [commandName(s), ...(s.aliases ?? [])]);
  const near = closestName(typed, names);
  return new EspsyncError("USAGE", `unknown command "${typed}"`, {
    hint: `${near === undefined ? "" : `Did you mean ${near}? `}Run espsync --help to see the commands.`,
  });
}

/**
 * The USAGE error for what strict parsing refused in `argv` (yargs's parse of it is `args`), or
 * undefined when nothing in it is unknown (the refusal was something else, e.g. a missing argument).
 */
export function unknownArgumentsError(args: Record<string, unknown>, argv: readonly string[], specs: readonly CommandSpec[]): EspsyncError | undefined {
  const positionals = Array.isArray(args._) ? (args._ as unknown[]) : [];
  if (positionals.length === 0) return undefined;
  const used = new Set<number>();
  const typedCommand = rawToken(positionals[0], argv, used);
  const spec = specs.find((s) => commandName(s) === typedCommand || (s.aliases ?? []).includes(typedCommand));
  if (spec === undefined) return unknownCommand(typedCommand, specs);

  const names = knownNames(spec);
  const known = new Set([...names.options, ...names.positionals].flatMap((k) => [k, camel(k)]));
  const unknownKeys = Object.keys(args).filter((k) => k !== "_" && k !== "$0" && !known.has(k));
  // yargs adds `bogusFlag` beside `bogus-flag`: keep the spelling that was typed.
  const options = unknownKeys.filter((k) => !unknownKeys.some((other) => other !== k && other.includes("-") && camel(other) === k));
  const stray = positionals.slice(1).map((p) => rawToken(p, argv, used));
  if (options.length === 0 && stray.length === 0) return undefined;

  const name = commandName(spec);
  const problems: string[] = [];
  if (options.length > 0) problems.push(`unknown option${options.length === 1 ? "" : "s"} ${options.map((o) => asTyped(o, argv)).join(", ")}`);
  if (stray.length > 0) problems.push(`unexpected argument${stray.length === 1 ? "" : "s"} ${stray.map((s) => JSON.stringify(s)).join(", ")}`);

  const longNames = names.options.filter((k) => k.length > 1);
  const suggestions = options.flatMap((o) => {
    const near = closestName(o, longNames);
    return near === undefined ? [] : [{ typed: asTyped(o, argv), near: `--${near}` }];
  });
  const didYouMean =
    suggestions.length === 0 ? ""
    : options.length === 1 ? `Did you mean ${(suggestions[0] as { near: string }).near}? `
    : `Did you mean ${list(suggestions.map((s) => `${s.near} for ${s.typed}`))}? `;
  return new EspsyncError("USAGE", `espsync ${name}: ${problems.join("; ")}`, {
    hint: `${didYouMean}Usage: espsync ${spec.command} [options]; espsync ${name} --help lists its options.`,
  });
}
