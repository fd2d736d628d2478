/**
 * The live area on a terminal of a given width, replayed into a screen model: every drawn line
 * takes one row, permanent lines stay above the block, nothing of the block is left after it is
 * closed, and a resize lays the block out again at once for the new width.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TextSink } from "../../../src/cli/io.js";
import { LiveArea } from "../../../src/cli/render/live-area.js";
import { ProgressView } from "../../../src/cli/render/progress-view.js";
import { textWidth } from "../../../src/cli/render/text-width.js";
import { ScreenModel } from "./screen-model.js";

/** A terminal sink whose width the test changes, drawing into a screen model. */
function terminal(columns: number): TextSink & { resize(to: number): void; readonly screen: ScreenModel; readonly listeners: Set<() => void> } {
  let width = columns;
  const screen = new ScreenModel(columns);
  const listeners = new Set<() => void>();
  return {
    isTTY: true,
    get columns() {
      return width;
    },
    // As the pty's line discipline does (onlcr): a newline returns the cursor to the first column too.
    write: (text) => screen.write(text.replace(/\n/g, "\r\n")),
    onResize: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resize(to) {
      width = to;
      screen.resize(to);
      for (const listener of listeners) listener();
    },
    screen,
    listeners,
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Progress of two boards with long names, `steps` times 80 ms apart. */
function drawProgress(area: LiveArea, steps: number, from = 0): void {
  const views = [0, 1].map((i) => new ProgressView(`[sim:esp32c3?seed=${i}] `, { area, index: i }, undefined));
  for (let step = from; step < from + steps; step++) {
    views.forEach((view, i) => view.bytes(["writing partition-table.bin at 0x00008000", "partition-table.bin"], (step + i) * 4096, 64 * 4096));
    vi.advanceTimersByTime(80);
  }
}

describe("LiveArea on a terminal", () => {
  it.each([40, 80, 200])("at %i columns: one row per line, results above the block, nothing left behind", (columns) => {
    const sink = terminal(columns);
    const area = new LiveArea(sink);
    drawProgress(area, 5);
    area.print(sink, "partition-table.bin at 0x00008000: full");
    drawProgress(area, 5, 5);
    area.close();
    expect(sink.screen.erased.length).toBeGreaterThan(4);
    expect(sink.screen.erased.filter((row) => row.wrapped)).toEqual([]);
    for (const row of sink.screen.erased) expect(textWidth(row.text), row.text).toBeLessThan(columns);
    expect(sink.screen.logicalLines()).toEqual(["partition-table.bin at 0x00008000: full"]);
  });

  it("lays the block out again at once when the terminal narrows, and stops listening when closed", () => {
    const sink = terminal(120);
    const area = new LiveArea(sink);
    drawProgress(area, 3);
    expect(sink.screen.lines().every((line) => textWidth(line) > 60)).toBe(true);
    sink.resize(50);
    // Redrawn without waiting for the next progress event.
    expect(sink.screen.lines()).toHaveLength(2);
    for (const line of sink.screen.lines()) expect(textWidth(line), line).toBeLessThan(50);
    drawProgress(area, 3, 3);
    area.close();
    expect(sink.listeners.size).toBe(0);
    expect(sink.screen.logicalLines()).toEqual([]);
  });
});
