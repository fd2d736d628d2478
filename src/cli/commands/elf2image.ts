/**
 * `espsync elf2image app.elf [-o app.bin]`: writes the application image espsync makes from an ELF
 * — the same bytes `espsync flash app.elf` writes and `image-info app.elf` describes — as esptool's
 * `elf2image` and espflash's `save-image` do. No port.
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { EspsyncError } from "../../errors.js";
import { plural } from "../../util/plural.js";
import { ELF_IMAGE_DEFAULTS, nodeInputFs, readInputFile } from "../../image/index.js";
import type { CommandSpec } from "../command.js";
import { hideUnusedConnectionOptions } from "../global-options.js";
import { convertElfFile } from "../elf-convert.js";
import { EXIT } from "../exit-codes.js";
import { formatBytes, formatHex } from "../render/format.js";
import { Output } from "../render/output.js";

/** The `--json` document of elf2image. */
export interface Elf2ImageDocument {
  readonly ok: true;
  readonly command: "elf2image";
  readonly file: string;
  readonly output: string;
  readonly chip: string;
  /** `--chip`, `build metadata` or `address map`. */
  readonly chipSource: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly entry: number;
  readonly segments: readonly { addr: number; sizeBytes: number; fileOffset: number; kind: string }[];
}

/** esptool's default output name: the ELF's name with `.bin` for its extension. */
export function defaultImageName(elfPath: string): string {
  const ext = path.extname(elfPath);
  return `${ext === "" ? elfPath : elfPath.slice(0, -ext.length)}.bin`;
}

function revision(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
    throw new EspsyncError("USAGE", `${option} ${String(value)} is not a revision`, { hint: "Give major·100 + minor, e.g. 301 for v3.1 (0 to 65535)." });
  }
  return n;
}

export const elf2imageCommand: CommandSpec = {
  command: "elf2image <elf>",
  aliases: ["elf-to-image"],
  describe: "Convert an app ELF into the image espsync flashes (as esptool elf2image / espflash save-image)",
  examples: [
    ["espsync elf2image app.elf -o app.bin", "convert an app; the chip comes from the ELF, or from --chip"],
    ["espsync elf2image target/riscv32imc-unknown-none-elf/release/app", "a Rust (esp-hal) app, written as app.bin beside it"],
    ["espsync elf2image --chip esp32c6 build/app.elf --flash-mode qio --flash-size 8MB", "with header settings, written to build/app.bin"],
  ],
  // It converts a file; of the connection options only --chip (which chip the ELF is for) applies.
  builder: (y) =>
    hideUnusedConnectionOptions(y, ["chip"])
      .positional("elf", { type: "string", describe: "The app's ELF file" })
      .option("output", { alias: "o", type: "string", describe: "Image file to write (default: the ELF's name with .bin)" })
      .option("flash-mode", { alias: "fm", type: "string", describe: `Header flash mode: qio, qout, dio, dout (default ${ELF_IMAGE_DEFAULTS.flashMode})` })
      .option("flash-freq", { alias: "ff", type: "string", describe: "Header flash frequency, e.g. 80m, 40m (default: the chip's default)" })
      .option("flash-size", { alias: "fs", type: "string", describe: `Header flash size, e.g. 4MB (default ${ELF_IMAGE_DEFAULTS.flashSize})` })
      .option("min-rev-full", { type: "number", describe: "Minimum chip revision, major·100 + minor (default: the ELF's build metadata, else 0)" })
      .option("max-rev-full", { type: "number", describe: "Maximum chip revision, major·100 + minor (default 65535: any)" }),
  run: async (args, ctx) => {
    const file = String(args.elf);
    const output = typeof args.output === "string" ? args.output : defaultImageName(file);
    const bytes = await readInputFile(nodeInputFs, path.resolve(ctx.io.cwd, file), file, { missing: "Check the path; build the app first.", directory: "Name the app's ELF file inside it." });
    const str = (key: string): string | undefined => (typeof args[key] === "string" ? (args[key] as string).toLowerCase() : undefined);
    const size = typeof args["flash-size"] === "string" ? (args["flash-size"] as string).toUpperCase() : undefined;
    const minRevFull = revision(args["min-rev-full"], "--min-rev-full");
    const maxRevFull = revision(args["max-rev-full"], "--max-rev-full");
    const { image, chipSource } = convertElfFile(bytes, file, ctx.globals, {
      ...(str("flash-mode") !== undefined && { flashMode: str("flash-mode") }),
      ...(str("flash-freq") !== undefined && { flashFreq: str("flash-freq") }),
      ...(size !== undefined && { flashSize: size }),
      ...(minRevFull !== undefined && { minRevFull }),
      ...(maxRevFull !== undefined && { maxRevFull }),
    });
    try {
      await writeFile(path.resolve(ctx.io.cwd, output), image.bytes);
    } catch (cause) {
      throw new EspsyncError("FILE_UNWRITABLE", `${output}: cannot write the image (${(cause as Error).message})`, { hint: "Check that the directory exists and is writable", cause });
    }
    const out = new Output(ctx.io, ctx.globals);
    const flashSegments = image.segments.filter((s) => s.kind === "flash").length;
    out.result(
      `${output}: ${formatBytes(image.bytes.length)} ${image.chip} image (chip from ${chipSource}), ${plural(image.segments.length, "segment")} (${flashSegments} flash-mapped), entry ${formatHex(image.entry, 8)}`,
    );
    out.close();
    if (ctx.globals.json) {
      const doc: Elf2ImageDocument = {
        ok: true,
        command: "elf2image",
        file,
        output,
        chip: image.chip,
        chipSource,
        sizeBytes: image.bytes.length,
        sha256: createHash("sha256").update(image.bytes).digest("hex"),
        entry: image.entry,
        segments: image.segments,
      };
      ctx.emitJson(doc);
    }
    return EXIT.ok;
  },
};
