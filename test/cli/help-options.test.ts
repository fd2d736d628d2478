/**
 * Each command's `--help` lists the connection options it uses and none it ignores: the image tools
 * connect to nothing (only --chip matters to them), `ports` lists, `sim` and `serve` serve.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";

const CONNECTION = ["--port", "--baud", "--chip", "--before", "--after", "--reset-sequence", "--connect-attempts", "--stub", "--trace"];

/** The connection options a command's help lists (from its option lines, not its examples). */
async function listed(command: string): Promise<string[]> {
  const help = (await runCli([command, "--help"])).stdout;
  const options = help.split("\n").flatMap((line) => /^\s+(?:-\w, )?(--[a-z-]+)/.exec(line)?.[1] ?? []);
  return CONNECTION.filter((o) => options.includes(o));
}

describe("--help shows the connection options a command uses", () => {
  it.each([
    ["image-info", ["--chip"]],
    ["elf2image", ["--chip"]],
    ["merge", ["--chip"]],
    ["ports", []],
    ["sim", ["--chip"]],
    ["serve", ["--port"]],
    ["flash", CONNECTION],
    ["partitions", CONNECTION], // a FILE, or --from-chip, which connects
  ])("%s: %j", async (command, expected) => {
    expect(await listed(command)).toEqual(expected);
  });
});
