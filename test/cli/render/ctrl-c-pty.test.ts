/**
 * Ctrl-C typed on a real terminal (80 columns) while `espsync flash` draws its progress: the pty
 * turns the key into SIGINT. Both notices must appear whole above the block, and after the quit
 * nothing of the block may be left on the screen. The terminal's `^C` echo is switched off here
 * (pty-run.ts says why); the erase starts from the first column either way.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededBytes } from "../../engine/helpers.js";
import { ROOT } from "../sim-rig.js";
import { HAS_SCRIPT, runInPty } from "./pty-run.js";
import { ScreenModel } from "./screen-model.js";

const BIN = path.join(ROOT, "dist/src/bin.js");
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "espsync-pty-ctrl-c-"));
  writeFileSync(path.join(dir, "a.bin"), seededBytes(70, 0x4000));
  writeFileSync(path.join(dir, "b.bin"), seededBytes(71, 0x40000));
  writeFileSync(path.join(dir, "c.bin"), seededBytes(72, 0x4000));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(BIN) || !HAS_SCRIPT)("Ctrl-C typed on a terminal during espsync flash (needs `npm run build` and util-linux script)", () => {
  it("prints both notices whole above the progress block and leaves no progress line behind", async () => {
    const port = `sim:esp32c3?file=${path.join(dir, "flash.bin")}&delay=400`;
    let pressed = 0;
    const run = await runInPty([process.execPath, BIN, "flash", "-p", port, "0x100000", "a.bin", "0x200000", "b.bin", "0x300000", "c.bin", "--no-cache"], {
      columns: 80,
      cwd: dir,
      stty: "-echoctl",
      onOutput: (_pty, output, type) => {
        if (pressed === 0 && /writing b\.bin/.test(output)) {
          pressed = 1;
          type("\x03");
        } else if (pressed === 1 && /Stopping after/.test(output)) {
          pressed = 2;
          type("\x03");
        }
      },
    });
    expect(run.exit, run.output).toBe(130);
    const screen = new ScreenModel(80);
    screen.write(run.output);
    expect(screen.erased.filter((row) => row.wrapped)).toEqual([]);
    const lines = screen.logicalLines();
    const expected = [
      /^a\.bin at 0x00100000: full, 16\.0 KiB in .*, verified$/,
      /^Stopping after what is in flight \(Ctrl-C again quits at once\):$/,
      /^ {2}writing b\.bin at 0x00200000: complete up to 0x[0-9a-f]{8}, the block at 0x[0-9a-f]{8} in flight$/,
      /^Quit at once \(second Ctrl-C\)\. State of the flash:$/,
      /^ {2}a\.bin at 0x00100000: complete, verified$/,
      /^ {2}b\.bin at 0x00200000: partly written: new up to 0x[0-9a-f]{8}, after that parts may be erased or half-written$/,
      /^ {2}c\.bin at 0x00300000: not written yet \(it holds what it held before\)$/,
      /^To finish, run the same command again: espsync writes only what still differs\.$/,
    ];
    expect(lines, lines.join("\n")).toHaveLength(expected.length);
    lines.forEach((line, i) => expect(line).toMatch(expected[i] as RegExp));
  });
});
