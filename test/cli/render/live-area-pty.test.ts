/**
 * The live progress area on real pseudo-terminals 40, 80 and 200 columns wide, and across a resize:
 * the built binary flashes a virtual chip that holds each data block's reply (`delay=`) so that
 * several frames are drawn; what it wrote to the pty is replayed into a screen model. Every drawn
 * line fits on one row (a wrapped line leaves a stale row at each redraw), nothing but the result
 * lines stays on the screen, and the fields that matter (name, percent, bytes, rate) come first.
 */
/* eslint-disable no-control-regex -- the output is parsed for terminal escape codes on purpose */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import stringWidth from "string-width";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededBytes } from "../../engine/helpers.js";
import { ROOT } from "../sim-rig.js";
import { HAS_SCRIPT, runInPty } from "./pty-run.js";
import { ScreenModel } from "./screen-model.js";

const BIN = path.join(ROOT, "dist/src/bin.js");
/** 16 uncompressible 16 KiB blocks: with 20 ms per block, a few frames of progress. */
const IMAGE_BYTES = 0x40000;
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "espsync-pty-"));
  writeFileSync(path.join(dir, "data.bin"), seededBytes(41, IMAGE_BYTES));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `espsync flash` of data.bin at 0x100000 onto an erased virtual chip kept in `flash-<name>.bin`. */
function flashArgs(name: string, imageBytes = IMAGE_BYTES): string[] {
  if (imageBytes !== IMAGE_BYTES) writeFileSync(path.join(dir, `data-${name}.bin`), seededBytes(43, imageBytes));
  const file = imageBytes === IMAGE_BYTES ? "data.bin" : `data-${name}.bin`;
  return [process.execPath, BIN, "flash", "-p", `sim:esp32c3?file=${path.join(dir, `flash-${name}.bin`)}&delay=20`, "0x100000", file, "--no-cache"];
}

/**
 * Replays `output` at `columns` (on `screen` when part was replayed at another width); checks the
 * frames it drew and the final screen; returns its progress frames.
 */
function checkScreen(output: string, columns: number, screen = new ScreenModel(columns)): string[] {
  const before = screen.erased.length;
  screen.write(output);
  const erased = screen.erased.slice(before);
  // Each erased row is a line of a drawn frame: one row each, never as wide as the terminal.
  expect(erased.filter((row) => row.wrapped)).toEqual([]);
  for (const row of erased) expect(stringWidth(row.text), row.text).toBeLessThan(columns);
  // Nothing of the progress area stays behind: only the region line and the totals.
  const lines = screen.logicalLines();
  expect(lines, lines.join("\n")).toHaveLength(2);
  expect(lines[0]).toMatch(/^data(-\w+)?\.bin at 0x00100000: full, /);
  expect(lines[1]).toMatch(/^Wrote /);
  return erased.map((row) => row.text).filter((text) => /\d%/.test(text));
}

describe.skipIf(!existsSync(BIN) || !HAS_SCRIPT)("the progress area on a real terminal (needs `npm run build` and util-linux script)", () => {
  it.concurrent("at 40 columns: the file name, percent, bytes and rate, nothing wrapped, nothing left behind", async () => {
    const run = await runInPty(flashArgs("w40"), { columns: 40, cwd: dir });
    expect(run.exit, run.output).toBe(0);
    const frames = checkScreen(run.output, 40);
    expect(frames.length).toBeGreaterThan(1);
    // Bar and ETA give way; the name keeps the file name; the rate once time has passed.
    for (const frame of frames) expect(frame).toMatch(/^data\.bin(?: at 0x00100000)? +\d+% +\d+\/256 KiB(?: [\d.]+ (?:B|KiB|MiB)\/s)?$/);
    expect(frames.some((f) => /\/s$/.test(f))).toBe(true);
  });

  it.concurrent("at 80 columns: the full name, a narrower bar and every count, one row per frame", async () => {
    const run = await runInPty(flashArgs("w80"), { columns: 80, cwd: dir });
    expect(run.exit, run.output).toBe(0);
    const frames = checkScreen(run.output, 80);
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(frame).toMatch(/^writing data\.bin at 0x00100000 \[[#-]{8,24}\] +\d+% +[\d.]+ (?:B|KiB)\/256\.0 KiB(?: [\d.]+ (?:B|KiB|MiB)\/s)?(?: ETA [\d.]+ s)?$/);
  });

  it.concurrent("at 200 columns: the whole line, the rate and the ETA unclipped", async () => {
    const run = await runInPty(flashArgs("w200"), { columns: 200, cwd: dir });
    expect(run.exit, run.output).toBe(0);
    const frames = checkScreen(run.output, 200);
    for (const frame of frames) expect(frame).toMatch(/^writing data\.bin at 0x00100000 \[[#-]{24}\] +\d+% +[\d.]+ (?:B|KiB)\/256\.0 KiB(?: [\d.]+ (?:B|KiB|MiB)\/s)?(?: ETA [\d.]+ s)?$/);
    expect(frames.some((f) => / ETA [\d.]+ s$/.test(f))).toBe(true);
  });

  it.concurrent("follows a resize from 80 to 40 columns while it draws", async () => {
    let resized = false;
    const run = await runInPty(flashArgs("resize", 0x80000), {
      columns: 80,
      cwd: dir,
      onOutput: (pty, output) => {
        if (resized || !/writing data-resize\.bin/.test(output)) return;
        resized = true;
        const stty = spawnSync("stty", ["-F", pty, "cols", "40", "rows", "24"], { encoding: "utf8" });
        expect(stty.status, stty.stderr).toBe(0);
      },
    });
    expect(run.exit, run.output).toBe(0);
    expect(resized).toBe(true);
    // The screen narrows where espsync saw the resize: after the erase of the last 80-column frame,
    // before the first 40-column one (frames drawn between the resize and the signal reaching the
    // process cannot know it).
    const first = /\x1b\[\d+A\x1b\[0J(?=data-resize\.bin )/.exec(run.output);
    expect(first, "no frame laid out for 40 columns after the resize").not.toBeNull();
    const cut = (first?.index ?? 0) + (first?.[0].length ?? 0);
    const screen = new ScreenModel(80);
    screen.write(run.output.slice(0, cut));
    screen.resize(40);
    const frames = checkScreen(run.output.slice(cut), 40, screen);
    const after = frames.slice(frames.findIndex((f) => f.startsWith("data-resize.bin ")));
    expect(after.length).toBeGreaterThan(0);
    for (const frame of after) expect(stringWidth(frame), frame).toBeLessThan(40);
  });
});
