/**
 * Running a README section: its commands in order in a {@link ReadmeWorld} (see readme-runner.ts),
 * other tools' commands checked against the list of those not run, and the checks the section
 * tests share.
 */
import { expect } from "vitest";
import { blockCommands, COMMAND_LANGS, readmeBlocks, type ReadmeCommand } from "./readme-blocks.js";
import { espsyncArgs, isServer, runCommand, startCommand, type BackgroundCommand, type CommandResult } from "./readme-runner.js";
import type { ReadmeWorld } from "./readme-world.js";

/** Programs of other tools the README shows, and why this test does not run them. */
export const NOT_RUN: Record<string, string> = {
  "idf.py": "the user's ESP-IDF build; the world holds what it leaves in build/",
  "arduino-cli": "the user's Arduino build; the world holds what it leaves in build/",
  pio: "the user's PlatformIO build; the world holds .pio/build/<env>/",
  cargo: "the user's Rust build; the world holds the ELF it leaves in target/",
  sudo: "installs the systemd unit; the test runs the unit's ExecStart command itself",
  journalctl: "reads the unit's log; the test reads the server's output itself",
  "qemu-system-xtensa": "started by test/qemu/readme-qemu.test.ts, which runs this section",
};
/** `npm` commands of the set-up section that are the test suite's own job. */
export const NPM_NOT_RUN: Record<string, string> = {
  install: "test/packaging.test.ts installs the packed package into an empty folder",
  test: "is this test suite",
};
/** The commands of one section (every block with that title, in order), parsed with `env`. */
export function section(title: string, env: Record<string, string> = {}): ReadmeCommand[] {
  const blocks = readmeBlocks().filter((b) => b.title === title && COMMAND_LANGS.includes(b.lang));
  expect(blocks.length, `README section "${title}"`).toBeGreaterThan(0);
  return blocks.flatMap((b) => blockCommands(b, env));
}

/** What a section's commands did, by the command as written (a command written twice has two results). */
export type SectionResults = Map<string, CommandResult[]>;

/**
 * Runs every command of a section in `w`, in order: espsync and `npm run` for real (servers in the
 * background until the section ends, as in another terminal), other tools' commands checked against
 * NOT_RUN. Every command must exit 0; a server must exit 0 or 130 when stopped.
 */
export async function runSection(w: ReadmeWorld, title: string): Promise<SectionResults> {
  const results: SectionResults = new Map();
  const servers: BackgroundCommand[] = [];
  try {
    for (const command of section(title, w.env)) {
      if (espsyncArgs(command) === undefined && command.argv[0] !== "npm") {
        expect(Object.keys(NOT_RUN), `${command.source}: another tool's command with no reason to skip it`).toContain(command.argv[0]);
        continue;
      }
      if (command.argv[0] === "npm" && NPM_NOT_RUN[command.argv[1] ?? ""] !== undefined) continue;
      if (isServer(command)) {
        const server = startCommand(w, command);
        servers.push(server);
        await server.waitFor(/serving on|ready/);
        continue;
      }
      const result = await runCommand(w, command);
      expect(result.code, `${command.source}\n${result.stdout}${result.stderr}`).toBe(0);
      results.set(command.source, [...(results.get(command.source) ?? []), result]);
    }
  } finally {
    for (const server of servers) {
      const stopped = await server.stop();
      expect([0, 130], stopped.stderr).toContain(stopped.code);
    }
  }
  return results;
}

/** The results of the commands whose source matches `source` (exactly one unless `count` says). */
export function resultsOf(results: SectionResults, source: RegExp, count = 1): CommandResult[] {
  const matches = [...results.entries()].filter(([s]) => source.test(s)).flatMap(([, r]) => r);
  expect(matches, String(source)).toHaveLength(count);
  return matches;
}

/** The one result of the command whose source matches `source`. */
export function only(results: SectionResults, source: RegExp): CommandResult {
  return resultsOf(results, source)[0]!;
}

/** Asserts that `flash` holds each image at its address. */
export function expectHolds(flash: Uint8Array, images: ReadonlyArray<{ addr: number; bytes: Uint8Array }>): void {
  for (const { addr, bytes } of images) {
    expect(Buffer.from(flash.subarray(addr, addr + bytes.length)).equals(Buffer.from(bytes)), `flash at 0x${addr.toString(16)}`).toBe(true);
  }
}

