/**
 * `--help` on a real terminal follows its width: on 60 columns no line is longer than 60, on 120
 * columns none is longer than 120 and the text uses the room (lines past the 100 columns help
 * kept to before). Piped, help keeps its fixed 100 columns so the text is the same everywhere.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import stringWidth from "string-width";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../sim-rig.js";
import { HAS_SCRIPT, runInPty } from "./pty-run.js";

const BIN = path.join(ROOT, "dist/src/bin.js");
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "espsync-help-width-"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The help's lines as the terminal got them, and the widest in terminal columns. */
async function helpOnPty(columns: number, command: readonly string[]): Promise<{ lines: string[]; widest: number }> {
  const run = await runInPty([process.execPath, BIN, ...command, "--help"], { columns, cwd: dir });
  expect(run.exit, run.output).toBe(0);
  const lines = run.output.split("\r\n");
  return { lines, widest: Math.max(...lines.map((line) => stringWidth(line))) };
}

describe.skipIf(!existsSync(BIN) || !HAS_SCRIPT)("--help follows the terminal's width (needs `npm run build` and util-linux script)", () => {
  for (const command of [[], ["flash"]]) {
    const name = ["espsync", ...command, "--help"].join(" ");

    it(`${name} on 60 columns: no line is longer`, async () => {
      const help = await helpOnPty(60, command);
      expect(help.lines.length).toBeGreaterThan(10);
      expect(help.widest, help.lines.join("\n")).toBeLessThanOrEqual(60);
    });

    it(`${name} on 120 columns: no line is longer, and the lines use the width`, async () => {
      const help = await helpOnPty(120, command);
      expect(help.widest, help.lines.join("\n")).toBeLessThanOrEqual(120);
      expect(help.widest, help.lines.join("\n")).toBeGreaterThan(100);
    });
  }

  it("piped, help wraps at 100 columns whatever the terminal", () => {
    const run = spawnSync(process.execPath, [BIN, "flash", "--help"], { cwd: dir, encoding: "utf8", timeout: 10_000, env: { ...process.env, COLUMNS: "60" } });
    expect(run.status, run.stderr).toBe(0);
    const widest = Math.max(...run.stdout.split("\n").map((line) => stringWidth(line)));
    expect(widest).toBeLessThanOrEqual(100);
    expect(widest).toBeGreaterThan(90);
  });
});
