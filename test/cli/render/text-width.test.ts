/** Terminal columns of text, and cutting text to a width around an ellipsis. */
import { describe, expect, it } from "vitest";
import { fitText, textWidth } from "../../../src/cli/render/text-width.js";

describe("textWidth and fitText", () => {
  it("counts columns, not characters: wide characters two, combining marks none, escape codes none", () => {
    expect(textWidth("app.bin")).toBe(7);
    expect(textWidth("固件.bin")).toBe(8);
    expect(textWidth("e\u0301")).toBe(1);
    expect(textWidth("\x1b[32mok\x1b[0m")).toBe(2);
  });

  it("keeps the start and the end around an ellipsis, never splitting a character", () => {
    expect(fitText("connecting to sim:esp32c3?file=flash.bin", 40)).toBe("connecting to sim:esp32c3?file=flash.bin");
    expect(fitText("connecting to sim:esp32c3?file=flash.bin", 20)).toBe("connecting…flash.bin");
    expect(fitText("固件镜像文件.bin", 9)).toBe("固件….bin");
    expect(textWidth(fitText("固件镜像文件.bin", 9))).toBeLessThanOrEqual(9);
    expect(fitText("abc", 1)).toBe("…");
    expect(fitText("abc", 0)).toBe("");
  });
});
