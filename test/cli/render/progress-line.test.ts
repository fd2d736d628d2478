/**
 * The progress line's layout for a width: what matters (name, percent, bytes, rate) first, the bar
 * and the ETA in the room left, and never a column more than it is given — with wide characters in
 * a file name counted as the two columns they take.
 */
import { describe, expect, it } from "vitest";
import { layoutProgressLine, type ProgressLineParts } from "../../../src/cli/render/progress-line.js";
import { textWidth } from "../../../src/cli/render/text-width.js";

const KIB = 1024;
const parts: ProgressLineParts = {
  names: ["writing app.bin at 0x00010000", "app.bin at 0x00010000", "app.bin"],
  doneBytes: 768 * KIB,
  totalBytes: 1536 * KIB,
  rate: "85.3 KiB/s",
  eta: "ETA 9.00 s",
};
const long = { ...parts, names: ["writing partition-table-with-a-long-name.bin at 0x00008000", "partition-table-with-a-long-name.bin"] };
const wide = { ...parts, names: ["writing 固件镜像🚀.bin at 0x00010000", "固件镜像🚀.bin"] };

describe("layoutProgressLine", () => {
  it("shows everything when there is room, with a bar of at most 24 columns", () => {
    expect(layoutProgressLine(parts, 199)).toBe("writing app.bin at 0x00010000 [############------------]  50% 768.0 KiB/1.50 MiB 85.3 KiB/s ETA 9.00 s");
  });

  it("gives the room left to the bar, then to the ETA; neither pushes out what matters", () => {
    expect(layoutProgressLine(parts, 90)).toBe("writing app.bin at 0x00010000 [######------]  50% 768.0 KiB/1.50 MiB 85.3 KiB/s ETA 9.00 s");
    expect(layoutProgressLine(parts, 79)).toBe("writing app.bin at 0x00010000 [######------]  50% 768.0 KiB/1.50 MiB 85.3 KiB/s");
    expect(layoutProgressLine(parts, 66)).toBe("writing app.bin at 0x00010000  50% 768.0 KiB/1.50 MiB 85.3 KiB/s");
  });

  it("shortens the bytes, then the name's wording, before it drops the rate", () => {
    expect(layoutProgressLine(parts, 60)).toBe("writing app.bin at 0x00010000  50% 0.8/1.5 MiB 85.3 KiB/s");
    expect(layoutProgressLine(parts, 50)).toBe("app.bin at 0x00010000  50% 0.8/1.5 MiB 85.3 KiB/s");
    expect(layoutProgressLine(parts, 39)).toBe("app.bin  50% 0.8/1.5 MiB 85.3 KiB/s");
    expect(layoutProgressLine(parts, 30)).toBe("app.bin  50% 0.8/1.5 MiB");
    expect(layoutProgressLine(parts, 12)).toBe("app.bin  50%");
  });

  it("cuts a long name in the middle, no shorter than 16 columns while the rate and bytes stay", () => {
    expect(layoutProgressLine(long, 50)).toBe("partition-t…g-name.bin  50% 0.8/1.5 MiB 85.3 KiB/s");
    expect(layoutProgressLine(long, 39)).toBe("partition-t…g-name.bin  50% 0.8/1.5 MiB");
    expect(layoutProgressLine(long, 30)).toBe("partition-ta…ong-name.bin  50%");
  });

  it("shows no bar or ETA once a field that matters had to go", () => {
    expect(layoutProgressLine(wide, 30)).toBe("固件镜像🚀.bin  50%");
  });

  it("never exceeds the width, counting wide characters as two columns", () => {
    for (let columns = 1; columns <= 160; columns++) {
      for (const p of [parts, long, wide, { ...parts, rate: undefined, eta: undefined }]) {
        const line = layoutProgressLine(p, columns);
        expect(textWidth(line), `${columns}: ${line}`).toBeLessThanOrEqual(columns);
      }
    }
  });
});
