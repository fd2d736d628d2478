/**
 * espsync's own report of a command line that stops short of the arguments a command needs (yargs
 * says "Not enough non-option arguments: got 1, need at least 3"): which arguments are missing, by
 * the names the usage gives them, with the usage and the command's first example.
 */
import { EspsyncError } from "../errors.js";
import type { CommandSpec } from "./command.js";
import { commandName } from "./unknown-args.js";

/** `<addr>` → `ADDR`, as the README and the usage lines name arguments. */
function argumentName(name: string): string {
  return name.toUpperCase();
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1] as string}`;
}

/**
 * The USAGE error naming the missing arguments of the command `args` chose, or undefined when
 * nothing required is missing (the refusal was something else).
 */
export function missingArgumentsError(args: Record<string, unknown>, specs: readonly CommandSpec[]): EspsyncError | undefined {
  const positionals = Array.isArray(args._) ? (args._ as unknown[]) : [];
  const spec = specs.find((s) => commandName(s) === positionals[0] || (s.aliases ?? []).includes(String(positionals[0])));
  if (spec === undefined) return undefined;
  const required = [...spec.command.matchAll(/<([\w-]+)>/g)].map((m) => argumentName(m[1] as string));
  // yargs puts the positionals it matched under their names, not in `_`.
  const given = required.filter((name) => args[name.toLowerCase()] !== undefined).length;
  const missing = required.slice(given);
  if (missing.length === 0) return undefined;
  const name = commandName(spec);
  const example = spec.examples[0]?.[0];
  return new EspsyncError("USAGE", `espsync ${name}: missing ${list(missing)}`, {
    // The example ends the hint without a full stop, so that it can be copied as it stands.
    hint: `Usage: espsync ${name} ${required.join(" ")} [options]${example === undefined ? "." : `. For example: ${example}`}`,
  });
}
