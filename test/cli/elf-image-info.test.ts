/**
 * `espsync image-info app.elf` shows the image espsync makes from the ELF, and `espsync elf2image`
 * writes it: for every ELF, image-info on the ELF and on the written image agree field for field.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ImageInfoDocument } from "../../src/cli/commands/image-info.js";
import { defaultImageName, type Elf2ImageDocument } from "../../src/cli/commands/elf2image.js";
import { C3_IDF, C6_PAGE_32K } from "../image/elf-cases.js";
import { makeElf } from "../image/make-elf.js";
import { runCli } from "./helpers.js";
import { FIRMWARE_DIR, HAS_FIRMWARE, NO_FIRMWARE, cliEnv, errorLines, tempDir } from "./sim-rig.js";

const RUST = ["esp32", "esp32c3", "esp32s3"];

async function info(file: string, extra: string[], cwd: string): Promise<ImageInfoDocument> {
  const run = await runCli(["image-info", file, "--json", ...extra], { env: cliEnv(cwd), cwd });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ImageInfoDocument;
}

async function agree(elf: string, chip: string, extra: string[] = []): Promise<{ fromElf: ImageInfoDocument; written: Buffer }> {
  const dir = tempDir("espsync-elf-info-");
  const out = path.join(dir, "app.bin");
  const conv = await runCli(["elf2image", elf, "-o", out, "--json", ...extra], { env: cliEnv(dir) });
  expect(conv.code, conv.stderr).toBe(0);
  const doc = JSON.parse(conv.stdout) as Elf2ImageDocument;
  const written = readFileSync(out);
  expect(doc.sha256).toBe(createHash("sha256").update(written).digest("hex"));
  expect([doc.chip, doc.sizeBytes]).toEqual([chip, written.length]);

  const fromElf = await info(elf, extra, dir);
  const fromBin = await info(out, [], dir);
  expect(fromElf.image).toEqual(fromBin.image);
  expect(fromElf.appDescription).toEqual(fromBin.appDescription);
  expect([fromElf.chip, fromElf.flashSize, fromElf.flashFreq]).toEqual([fromBin.chip, fromBin.flashSize, fromBin.flashFreq]);
  expect(fromElf.chip).toBe(chip);
  expect(fromElf.image.valid).toBe(true);
  expect(fromElf.elf?.imageSizeBytes).toBe(written.length);
  expect(fromBin.elf).toBeUndefined();
  return { fromElf, written };
}

describe("image-info app.elf and elf2image", () => {
  it("agree on a generated ESP32-C3 ELF; the chip given with --chip", async () => {
    const dir = tempDir("espsync-elf-info-");
    const elf = path.join(dir, "app.elf");
    writeFileSync(elf, makeElf(C3_IDF.spec));
    const { fromElf } = await agree(elf, "esp32c3", ["--chip", "esp32c3"]);
    expect(fromElf.elf?.chipSource).toBe("--chip");
    expect(fromElf.appDescription?.projectName).toBe("elf-idf-c3");

    const human = await runCli(["image-info", elf, "--chip", "esp32c3"], { env: cliEnv(dir) });
    expect(human.stdout).toMatch(/^File +.*app\.elf \(.*, ELF; shown: the [\d.]+ KiB image espsync makes from it for esp32c3 \(chip from --chip\)\)$/m);
  });

  it("elf2image writes beside the ELF by default and applies the header options", async () => {
    const dir = tempDir("espsync-elf-info-");
    const elf = path.join(dir, "app.elf");
    writeFileSync(elf, makeElf(C3_IDF.spec));
    const run = await runCli(["elf2image", elf, "--chip", "esp32c3", "--flash-mode", "qio", "--flash-freq", "80m", "--flash-size", "8MB", "--min-rev-full", "101"], { env: cliEnv(dir) });
    expect(run.code, run.stderr).toBe(0);
    const image = readFileSync(path.join(dir, "app.bin"));
    // Byte 2 qio = 0; byte 3 = 8MB (0x30) | 80m (0xF); bytes 15-16 min_rev_full 101, byte 14 its major (PROTOCOL.md §5.3/§5.4).
    expect([image[2], image[3], image[14], image.readUInt16LE(15)]).toEqual([0, 0x3f, 1, 101]);
    expect(defaultImageName("target/riscv32imc-unknown-none-elf/release/app")).toBe("target/riscv32imc-unknown-none-elf/release/app.bin");
    expect(defaultImageName("build/hello.elf")).toBe("build/hello.bin");
  });

  it("an ELF several chips could run needs --chip", async () => {
    const dir = tempDir("espsync-elf-info-");
    const elf = path.join(dir, "c6.elf");
    writeFileSync(elf, makeElf(C6_PAGE_32K.spec));
    const run = await runCli(["image-info", elf], { env: cliEnv(dir) });
    expect(run.code).toBe(2);
    const { first, hint } = errorLines(run.stderr);
    expect(first).toMatch(/^error\[USAGE\]: .*c6\.elf: the ELF fits more than one chip \(esp32c6, esp32h2.*\), and no --chip names one/);
    expect(hint).toMatch(/--chip esp32c6/);
    await agree(elf, "esp32c6", ["--chip", "esp32c6"]);
  });
});

describe.skipIf(!HAS_FIRMWARE)(`image-info and elf2image on the espflash Rust ELFs (skipped when ${NO_FIRMWARE})`, () => {
  it.each(RUST)("%s.elf: the chip from its build metadata; ELF and written image agree", async (chip) => {
    const elf = path.join(FIRMWARE_DIR, "espflash/elf", `${chip}.elf`);
    expect(existsSync(elf)).toBe(true);
    const { fromElf } = await agree(elf, chip);
    expect(fromElf.elf?.chipSource).toBe("build metadata");
    expect(fromElf.appDescription?.projectName).toBe(chip);
  });
});
