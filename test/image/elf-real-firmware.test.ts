/**
 * The real Rust (esp-hal) ELF files espflash tests with (../shared/firmware/espflash/elf, see its
 * README), converted. No public image made from these ELFs exists: espflash's repository keeps only
 * the ELFs, and esptool 5.3.1 refuses them ("Segment loaded at 0x3f400120 lands in same 64 KB flash
 * mapping as segment loaded at 0x3f400020") because it merges sections only when they are
 * neighbours in the ELF's section order. The digests below are of the images esptool 5.3.1 makes
 * from these ELFs once their section list is sorted by address (what espflash does before merging;
 * `elf2image --flash-mode dio --flash-size 4MB`), the only change: espsync must produce the same
 * bytes. Skipped when ../shared is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseAppDescription } from "../../src/image/app-desc.js";
import { guessElfChip } from "../../src/image/elf-chip.js";
import { parseElf } from "../../src/image/elf-file.js";
import { elfToImage } from "../../src/image/elf-to-image.js";
import { parseEspImage } from "../../src/image/esp-image.js";
import { expectImageOfElf } from "./elf-image-check.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const elfDir = path.resolve(root, "../shared/firmware/espflash/elf");
const present = existsSync(elfDir);

const CASES = [
  { chip: "esp32", sha256: "837d6f13f02637f3be2b4f18b72ae2d76e51f2cd952c6b05442e11a930d7dda4", segments: 5 },
  { chip: "esp32c3", sha256: "63624cb274c9a8bf6669e1f824f04332a86769cf0b8a4052b1e0b2cf1a5bbeec", segments: 5 },
  { chip: "esp32s3", sha256: "ee566d2c1f31ea6760bd71dc5b0521f46fc6255ac8eb5241a0c65f2a191d5d91", segments: 5 },
] as const;

describe.skipIf(!present)("the espflash test ELFs (skipped when ../shared/firmware is absent)", () => {
  it.each(CASES)("$chip.elf: the chip from its build metadata, esptool's bytes, every segment in place", ({ chip, sha256, segments }) => {
    const elf = new Uint8Array(readFileSync(path.join(elfDir, `${chip}.elf`)));
    expect(guessElfChip(parseElf(elf, `${chip}.elf`), `${chip}.elf`)).toMatchObject({ chip, how: "build metadata" });
    const image = elfToImage(elf, `${chip}.elf`, { chip }).bytes;
    expect(createHash("sha256").update(image).digest("hex")).toBe(sha256);
    expectImageOfElf(elf, image, chip);
    const info = parseEspImage(image);
    expect(info.segmentCount).toBe(segments);
    // esp-hal's `.rodata_desc` opens the image as ESP-IDF's app description would; the app is named after its chip.
    const desc = parseAppDescription(image, info);
    expect([desc?.projectName, desc?.version]).toEqual([chip, "0.1.0"]);
    expect(desc?.elfSha256).toBe("0".repeat(64));
  });
});
