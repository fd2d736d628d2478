import { describe, expect, it } from "vitest";
import { LineWatcher } from "../../../src/cli/monitor/line-watcher.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("LineWatcher", () => {
  it("joins lines split across chunks and strips CR", () => {
    const watcher = new LineWatcher();
    expect(watcher.push(bytes("ets Jul 29 2019\r\nrst:0x1 (POWER"))).toEqual([{ line: "ets Jul 29 2019", verdict: { kind: "line" } }]);
    expect(watcher.push(bytes("ON_RESET)\r\n")).map((l) => l.line)).toEqual(["rst:0x1 (POWERON_RESET)"]);
  });

  it("reports the first line matching the expected pattern", () => {
    const watcher = new LineWatcher(/Hello (\w+)/);
    const lines = watcher.push(bytes("boot\nHello world\n"));
    expect(lines[0]!.verdict.kind).toBe("line");
    expect(lines[1]!.verdict).toMatchObject({ kind: "match" });
    expect(lines[1]!.verdict.kind === "match" && lines[1]!.verdict.match[1]).toBe("world");
  });

  it("classifies crash lines as panics even when they would also match", () => {
    const watcher = new LineWatcher(/Error/);
    const [line] = watcher.push(bytes("Guru Meditation Error: Core  0 panic'ed (LoadProhibited).\n"));
    expect(line!.verdict.kind).toBe("panic");
    expect(watcher.push(bytes("abort() was called at PC 0x400d1234 on core 0\n"))[0]!.verdict.kind).toBe("panic");
  });

  it("matches an unterminated prompt without waiting for a newline", () => {
    const watcher = new LineWatcher(/login: $/);
    expect(watcher.push(bytes("login: "))).toEqual([]);
    expect(watcher.peekPartial()).toMatchObject({ line: "login: ", verdict: { kind: "match" } });
    expect(new LineWatcher(/x/).peekPartial()).toBeUndefined();
  });
});
