/**
 * The README's code blocks and the commands in them, read the way a user reads them: each fenced
 * block under the title of the section or recipe it belongs to (a `## ` heading or a `**bold**`
 * paragraph), and each shell line — or YAML `- run:` step — parsed as a POSIX shell would
 * (quotes, `$VAR`, `&&`, `>` and `#` comments), by the `shell-quote` package rather than by hand.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, type ParseEntry } from "shell-quote";
import { ROOT } from "../cli/sim-rig.js";

/** One fenced code block. */
export interface ReadmeBlock {
  /** The recipe's bold title, else the section heading. */
  readonly title: string;
  /** The fence's language (`sh`, `yaml`, `ini`, …). */
  readonly lang: string;
  readonly text: string;
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
}

/** One command of a block, after `&&` splitting. */
export interface ReadmeCommand {
  /** The words as the shell passes them (variables expanded). */
  readonly argv: string[];
  /** `> FILE`, when stdout is redirected. */
  readonly stdoutFile?: string;
  /** The line as written in the README. */
  readonly source: string;
}

/** The README's fenced blocks, in order. */
export function readmeBlocks(file = path.join(ROOT, "README.md")): ReadmeBlock[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const blocks: ReadmeBlock[] = [];
  let title = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const heading = /^#{2,3} (.+)$/.exec(line) ?? /^\*\*(.+)\*\*$/.exec(line);
    if (heading) title = heading[1] ?? "";
    const fence = /^```(\w*)$/.exec(line);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && lines[i] !== "```") body.push(lines[i] ?? "");
    blocks.push({ title, lang: fence[1] ?? "", text: body.join("\n"), line: start + 1 });
  }
  return blocks;
}

/** Fence languages whose blocks hold commands. */
export const COMMAND_LANGS = ["sh", "yaml", "ini"];

/**
 * The commands of a `sh` block (one per line; `NAME=value` lines set `env` for the lines after them),
 * of a `yaml` block (its `- run:` steps, with `env` standing for the CI job's variables) or of an
 * `ini` block (a systemd unit's `ExecStart=`).
 */
export function blockCommands(block: ReadmeBlock, env: Record<string, string>): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  for (const raw of block.text.split("\n")) {
    const source = block.lang === "yaml" ? /^\s*- run: (.*)$/.exec(raw)?.[1] : block.lang === "ini" ? /^ExecStart=(.*)$/.exec(raw)?.[1] : raw;
    if (source === undefined || source.trim() === "" || source.trim().startsWith("#")) continue;
    const entries = parse(source, (name) => env[name] ?? "");
    const assignment = entries.length === 1 && typeof entries[0] === "string" ? /^(\w+)=(.*)$/s.exec(entries[0]) : null;
    if (assignment) {
      env[assignment[1] ?? ""] = assignment[2] ?? "";
      continue;
    }
    for (const part of splitOnAnd(entries)) commands.push({ ...part, source: source.trim() });
  }
  return commands;
}

/** One command line (no `&&`), parsed as a shell would, with `env` for its variables. */
export function parseCommandLine(source: string, env: Record<string, string> = {}): ReadmeCommand {
  const parts = splitOnAnd(parse(source, (name) => env[name] ?? ""));
  if (parts.length !== 1) throw new Error(`not one command: ${source}`);
  return { ...parts[0]!, source };
}

function splitOnAnd(entries: ParseEntry[]): Array<{ argv: string[]; stdoutFile?: string }> {
  const parts: Array<{ argv: string[]; stdoutFile?: string }> = [{ argv: [] }];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const current = parts[parts.length - 1]!;
    if (typeof entry === "string") current.argv.push(entry);
    else if ("comment" in entry) break;
    else if ("op" in entry && entry.op === "&&") parts.push({ argv: [] });
    else if ("op" in entry && entry.op === ">" && typeof entries[i + 1] === "string") current.stdoutFile = entries[++i] as string;
    else throw new Error(`README shell syntax this test does not model: ${JSON.stringify(entry)}`);
  }
  return parts.filter((p) => p.argv.length > 0);
}
