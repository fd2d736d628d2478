/**
 * Runs a README command in a {@link ReadmeWorld}: `npx espsync …` through the real CLI in process
 * (the world's ports and host names), `npm run …` as a child process, and long-running servers
 * (`espsync sim --listen`, `espsync serve`) in the background until the test stops them.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { memorySink } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";
import type { ReadmeCommand } from "./readme-blocks.js";
import type { ReadmeWorld } from "./readme-world.js";

/** What a command printed and how it exited. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A server command running in the background. */
export interface BackgroundCommand {
  /** Resolves once stdout or stderr matches `pattern`; rejects after `timeoutMs` or when it exits. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Ctrl-C: resolves with what it printed and its exit code. */
  stop(): Promise<CommandResult>;
}

/** The arguments after `npx espsync`, `espsync` or `/usr/bin/env espsync`; undefined for other programs. */
export function espsyncArgs(command: ReadmeCommand): string[] | undefined {
  const argv = command.argv[0] === "/usr/bin/env" ? command.argv.slice(1) : command.argv;
  if (argv[0] === "npx" && argv[1] === "espsync") return argv.slice(2);
  if (argv[0] === "espsync") return argv.slice(1);
  return undefined;
}

/** True for the servers that run until stopped: `espsync sim` and `espsync serve`. */
export function isServer(command: ReadmeCommand): boolean {
  const args = espsyncArgs(command);
  return args?.[0] === "sim" || args?.[0] === "serve";
}

/** Runs `npx espsync …` in process, or `npm …` as a child; writes stdout to `> FILE` when redirected. */
export async function runCommand(world: ReadmeWorld, command: ReadmeCommand): Promise<CommandResult> {
  let result: CommandResult;
  const args = espsyncArgs(command);
  if (args !== undefined) {
    const stdout = memorySink();
    const stderr = memorySink();
    const code = await run(args, {
      stdout,
      stderr,
      env: world.env,
      cwd: world.dir,
      signal: new AbortController().signal,
      openPort: world.openPort,
      listSerialPorts: world.listSerialPorts,
    });
    result = { code, stdout: stdout.text(), stderr: stderr.text() };
  } else if (command.argv[0] === "npm") {
    const child = spawnSync("npm", command.argv.slice(1), { cwd: world.dir, env: { ...process.env, ...world.env }, encoding: "utf8", timeout: 60_000 });
    result = { code: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
  } else {
    throw new Error(`not a command this test runs: ${command.source}`);
  }
  if (command.stdoutFile !== undefined) writeFileSync(world.file(command.stdoutFile), result.stdout);
  return result;
}

/** Starts a long-running `espsync` command (a server) in process. */
export function startCommand(world: ReadmeWorld, command: ReadmeCommand): BackgroundCommand {
  const argv = espsyncArgs(command) ?? [];
  const stdout = memorySink();
  const stderr = memorySink();
  const controller = new AbortController();
  let exit: number | undefined;
  const done = run([...argv], {
    stdout,
    stderr,
    env: world.env,
    cwd: world.dir,
    signal: controller.signal,
    openPort: world.openPort,
    listSerialPorts: world.listSerialPorts,
  }).then((code) => (exit = code));
  const printed = (): string => stdout.text() + stderr.text();
  return {
    async waitFor(pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(printed())) {
        if (exit !== undefined) throw new Error(`espsync ${argv.join(" ")} exited with ${exit} before printing ${pattern}: ${printed()}`);
        if (Date.now() > deadline) throw new Error(`espsync ${argv.join(" ")} did not print ${pattern} within ${timeoutMs} ms: ${printed()}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      controller.abort();
      const code = await done;
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    },
  };
}
