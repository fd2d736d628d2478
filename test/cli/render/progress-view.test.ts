/**
 * The progress renderer on its own: a bar with bytes, rate and ETA on a terminal; on a log, plain
 * lines at 10 % steps (never more often) and no escape codes.
 */
/* eslint-disable no-control-regex -- these tests look for terminal escape codes on purpose */
import { describe, expect, it } from "vitest";
import { memorySink } from "../../../src/cli/io.js";
import { LiveArea } from "../../../src/cli/render/live-area.js";
import { ProgressView } from "../../../src/cli/render/progress-view.js";

describe("ProgressView", () => {
  it("draws a bar with percent, bytes and rate on a terminal, then clears it", () => {
    const sink = memorySink(true, 100);
    const area = new LiveArea(sink);
    const view = new ProgressView("[b1] ", { area, index: 0 }, undefined);
    view.bytes("writing app.bin", 512 * 1024, 1024 * 1024);
    expect(sink.text()).toBe("[b1] writing app.bin [############------------]  50% 512.0 KiB/1.00 MiB\n");
    area.close();
    expect(sink.text()).toMatch(/\x1b\[1A\x1b\[0J$/);
  });

  it("prints plain lines only at 10 % steps, without escape codes", () => {
    const sink = memorySink(false);
    const view = new ProgressView("", undefined, sink);
    for (let done = 0; done <= 1000; done += 10) view.bytes("writing data.bin", done, 1000);
    const lines = sink.text().trim().split("\n");
    // Nothing before the first byte: a task's start says nothing a log needs.
    expect(lines.map((l) => /: (\d+)%/.exec(l)?.[1])).toEqual(["1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "100"]);
    expect(sink.text()).not.toMatch(/\x1b/);
  });
});
