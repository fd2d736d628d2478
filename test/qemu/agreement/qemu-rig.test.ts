/** The agreement tests skip, saying why, when the shared QEMU rig is missing. */
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { qemuSkipReason } from "./qemu-rig.js";

describe("QEMU rig detection", () => {
  it("names the missing rig directory", () => {
    const dir = path.join(tmpdir(), "espsync-no-qemu-rig-here");
    expect(qemuSkipReason("esp32", dir)).toBe(`no QEMU rig at ${dir}`);
    expect(qemuSkipReason("esp32c3", dir)).toBe(`no QEMU rig at ${dir}`);
  });
});
