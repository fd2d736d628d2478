/**
 * `espsync image-info FILE`: what an ESP image file says about itself — header, segments, chip and
 * revision range, checksum and SHA-256 validity, and the app (or bootloader) description. No port.
 * Given an ELF file, it shows the image espsync makes from it (as `elf2image` writes and `flash`
 * writes it), and says so.
 */
import path from "node:path";
import { EspsyncError } from "../../errors.js";
import {
  CHIP_FACTS,
  FLASH_SIZE_CODES,
  chipForId,
  describeChipId,
  isElf,
  looksLikePartitionTable,
  nodeInputFs,
  parseAppDescription,
  parseBootloaderDescription,
  readInputFile,
  parseEspImage,
  revisionRange,
  type AppDescription,
  type BootloaderDescription,
  type EspImageInfo,
  type RevisionRange,
} from "../../image/index.js";
import type { CommandSpec } from "../command.js";
import { hideUnusedConnectionOptions } from "../global-options.js";
import { convertElfFile } from "../elf-convert.js";
import { EXIT } from "../exit-codes.js";
import { formatBytes, formatHex, formatRevision } from "../render/format.js";
import { Output } from "../render/output.js";
import { renderTable } from "../render/table.js";
import { errorToJson, renderError } from "../render-error.js";

/** Offsets where an image may start inside a file: the file itself, or a merged image written at 0x0. */
const IMAGE_OFFSETS = [0x0, 0x1000, 0x2000] as const;
/** The `--json` document of image-info. */
export interface ImageInfoDocument {
  readonly ok: boolean;
  readonly command: "image-info";
  readonly file: string;
  readonly sizeBytes: number;
  /** File offset of the image (non-zero for a merged image written at 0x0). */
  readonly imageOffset: number;
  readonly chip: string | null;
  readonly flashSize: string | null;
  readonly flashFreq: string | null;
  readonly image: EspImageInfo;
  readonly appDescription: AppDescription | null;
  readonly bootloaderDescription: BootloaderDescription | null;
  /** For an ELF file: the chip it was converted for, how that was decided, and the converted image's size. */
  readonly elf?: { readonly chip: string; readonly chipSource: string; readonly mmuPageBytes: number; readonly imageSizeBytes: number; readonly sections: readonly { name: string; addr: number; sizeBytes: number; kind: string }[] };
  readonly error?: { code: string; message: string; hint?: string };
}

export const imageInfoCommand: CommandSpec = {
  command: "image-info <file>",
  aliases: ["image_info"],
  describe: "Show an image file: header, segments, chip, revisions, checksum, SHA-256, app description",
  examples: [
    ["espsync image-info build/hello_world.bin", "check an app image"],
    ["espsync image-info build/bootloader/bootloader.bin --json", "the same as JSON"],
    ["espsync image-info target/riscv32imc-unknown-none-elf/release/app", "the image espsync makes from an ELF"],
  ],
  // It reads a file; of the connection options only --chip (which chip an ELF is for) applies.
  builder: (y) => hideUnusedConnectionOptions(y, ["chip"]).positional("file", { type: "string", describe: "ESP image (app, bootloader, or merged image), or an app ELF file" }),
  run: async (args, ctx) => {
    const file = String(args.file);
    const read = await readInput(path.resolve(ctx.io.cwd, file), file);
    // An ELF is shown as the image espsync makes from it, with the same defaults as elf2image and flash.
    const fromElf = isElf(read) ? convertElfFile(read, file, ctx.globals) : undefined;
    const bytes = fromElf?.image.bytes ?? read;
    const offset = IMAGE_OFFSETS.find((o) => bytes[o] === 0xe9);
    if (offset === undefined) {
      const partitions = looksLikePartitionTable(bytes) ? "; it is a partition table: use espsync partitions" : "";
      throw new EspsyncError("IMAGE_INVALID", `${file} is not an ESP image (no 0xE9 magic byte at offset 0x0, 0x1000 or 0x2000)${partitions}`, {
        hint: partitions ? `Run espsync partitions ${file}` : "Give an app or bootloader .bin or an app ELF file (not a data partition image)",
      });
    }
    const data = bytes.subarray(offset);
    const image = parseEspImage(data);
    const chip = image.ext === undefined ? undefined : chipForId(image.ext.chipId);
    const app = parseAppDescription(data, image);
    const boot = app === undefined ? parseBootloaderDescription(data, image) : undefined;
    const sizeName = Object.entries(FLASH_SIZE_CODES).find(([, code]) => code === (image.flashSizeFreq & 0xf0))?.[0];
    const freqName = chip === undefined ? undefined : Object.entries(CHIP_FACTS[chip].flashFreqs).find(([, code]) => code === (image.flashSizeFreq & 0x0f))?.[0];
    const out = new Output(ctx.io, ctx.globals);
    const origin = fromElf === undefined ? undefined : `ELF; shown: the ${formatBytes(bytes.length)} image espsync makes from it for ${fromElf.image.chip} (chip from ${fromElf.chipSource})`;
    for (const line of describe(file, read.length, offset, image, chip === undefined ? undefined : describeChipId(image.ext?.chipId ?? -1), sizeName, freqName, app, boot, out, origin)) out.result(line);
    const failure = image.valid
      ? undefined
      : new EspsyncError("IMAGE_INVALID", `${file}: not a valid ESP image: ${image.problems.join("; ")}`, { hint: "Rebuild the image; it may be truncated or edited" });
    if (failure) out.stderr(renderError(failure, ctx.globals.debug));
    if (ctx.globals.json) {
      const doc: ImageInfoDocument = {
        ok: failure === undefined,
        command: "image-info",
        file,
        sizeBytes: read.length,
        imageOffset: offset,
        chip: chip ?? null,
        flashSize: sizeName ?? null,
        flashFreq: freqName ?? null,
        image,
        appDescription: app ?? null,
        bootloaderDescription: boot ?? null,
        ...(fromElf !== undefined && {
          elf: { chip: fromElf.image.chip, chipSource: fromElf.chipSource, mmuPageBytes: fromElf.image.mmuPageBytes, imageSizeBytes: bytes.length, sections: fromElf.image.sections },
        }),
        ...(failure && { error: errorToJson(failure) }),
      };
      ctx.emitJson(doc);
    }
    return failure ? EXIT.usage : EXIT.ok;
  },
};

function readInput(target: string, shown: string): Promise<Uint8Array> {
  return readInputFile(nodeInputFs, target, shown, { directory: "Name an image or ELF file inside it." });
}

/** `v0.3 to v0.99`, `v1.0 or newer`, or for an image older than the full fields `v3.0 or newer (legacy field)`. */
function describeRevisions(range: RevisionRange): string {
  const upper = range.max === undefined ? " or newer" : ` to ${formatRevision(range.max)}`;
  return `${formatRevision(range.min)}${upper}${range.legacy ? " (legacy minimum; the image has no maximum)" : ""}`;
}

function describe(
  file: string, sizeBytes: number, offset: number, image: EspImageInfo, chip: string | undefined, sizeName: string | undefined, freqName: string | undefined,
  app: AppDescription | undefined, boot: BootloaderDescription | undefined, out: Output, origin?: string,
): string[] {
  const ok = (valid: boolean): string => (valid ? out.paint("valid", "green") : out.paint("INVALID", "red"));
  const ext = image.ext;
  const rows: [string, string][] = [
    ["File", `${file} (${formatBytes(sizeBytes)}${offset > 0 ? `, image at file offset ${formatHex(offset, 4)}` : ""}${origin === undefined ? "" : `, ${origin}`})`],
    ["Image", image.valid ? ok(true) : `${ok(false)}: ${image.problems.join("; ")}`],
    ["Chip", chip ?? (ext ? `unknown chip id ${ext.chipId}` : "-")],
    ["Chip revision", ext ? describeRevisions(revisionRange(ext)) : "-"],
    ["Entry point", formatHex(image.entryAddr, 8)],
    ["Flash mode", image.flashModeName],
    ["Flash size", sizeName ?? formatHex(image.flashSizeFreq >> 4, 1)],
    ["Flash freq", freqName ?? formatHex(image.flashSizeFreq & 0x0f, 1)],
    ["Segments", String(image.segmentCount)],
    ["Checksum", image.checksum ? `${formatHex(image.checksum.stored, 2)} ${ok(image.checksum.valid)}${image.checksum.valid ? "" : ` (computed ${formatHex(image.checksum.computed, 2)})`}` : "-"],
    ["SHA-256", image.sha256 ? `${image.sha256.stored} ${ok(image.sha256.valid)}` : "not appended"],
  ];
  if (app) {
    rows.push(
      ["Project", app.projectName],
      ["Version", app.version],
      ["ESP-IDF", app.idfVersion],
      ["Built", `${app.date} ${app.time}`],
      ["Secure version", String(app.secureVersion)],
      ["ELF SHA-256", app.elfSha256],
    );
  } else if (boot) {
    rows.push(["Bootloader version", String(boot.version)], ["ESP-IDF", boot.idfVersion], ["Built", boot.dateTime]);
  }
  const lines = renderTable(["Field", "Value"], rows).slice(1);
  const segs = image.segments.map((s, i) => [String(i), formatHex(s.loadAddr, 8), formatHex(s.fileOffset + offset, 6), String(s.sizeBytes)]);
  return [...lines, "", ...renderTable(["Segment", "Load address", "File offset", "Bytes"], segs, ["right", "left", "left", "right"])];
}
