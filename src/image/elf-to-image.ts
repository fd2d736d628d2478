/**
 * ELF → application image for one chip, as esptool's `elf2image` and espflash's `save-image` make
 * it: loaded sections merged into segments (elf-segments.ts), the MMU page size and the ELF's SHA-256
 * from the app description (elf-app-desc.ts), segments laid out with flash-mapped ones page-aligned
 * (elf-image-writer.ts), the entry point, and an extended header naming the chip, the revision range
 * and the SPI flash mode, frequency and size (given, or espflash's defaults: dio, 4MB, the chip's
 * default frequency — header code 0).
 */
import { EspsyncError } from "../errors.js";
import { FLASH_MODE_CODES, FLASH_SIZE_CODES, checkFlashSettings, flashSizeName } from "./bootloader-patch.js";
import { CHIP_FACTS, type ImageChip } from "./chip-table.js";
import { appDescSection, mmuPageBytes, withElfSha256 } from "./elf-app-desc.js";
import { checkElfForChip } from "./elf-chip.js";
import { parseElf } from "./elf-file.js";
import { writeAppImage, type WrittenSegment } from "./elf-image-writer.js";
import { metadataMinRevision } from "./elf-metadata.js";
import { collectSegments } from "./elf-segments.js";

/** Header settings used when none are given (espflash's defaults). */
export const ELF_IMAGE_DEFAULTS = { flashMode: "dio", flashSize: "4MB" } as const;
/** The highest revision field meaning "any revision" (ESP-IDF's and esptool's default). */
const ANY_REVISION = 0xffff;

/** Options of {@link elfToImage}. */
export interface ElfToImageOptions {
  readonly chip: ImageChip;
  /** Where the chip came from, for a mismatch message (`--chip`, `the connected chip`, …). */
  readonly chipSource?: string;
  /** Flash mode name; absent or `keep` → `dio`. */
  readonly flashMode?: string;
  /** Flash frequency name for this chip; absent or `keep` → the chip's default (code 0). */
  readonly flashFreq?: string;
  /** Flash size name; absent, `keep` or `detect` → `detectedFlashSizeBytes`, else `4MB`. */
  readonly flashSize?: string;
  /** Resolves `flashSize: "detect"`. */
  readonly detectedFlashSizeBytes?: number;
  /** Minimum chip revision, major·100 + minor; default: the ELF's build metadata, else 0. */
  readonly minRevFull?: number;
  /** Maximum chip revision; default 0xFFFF (any). */
  readonly maxRevFull?: number;
}

/** One ELF section that went into the image. */
export interface ConvertedSection {
  readonly name: string;
  readonly addr: number;
  readonly sizeBytes: number;
  readonly kind: "flash" | "ram";
}

/** The image made from an ELF, and how. */
export interface ElfImage {
  readonly bytes: Uint8Array;
  readonly chip: ImageChip;
  readonly entry: number;
  readonly mmuPageBytes: number;
  /** Loaded sections, by image segment kind. */
  readonly sections: readonly ConvertedSection[];
  /** Segments as written, including padding. */
  readonly segments: readonly WrittenSegment[];
  /** The app description (ESP-IDF's or esp-hal's) opens the image. */
  readonly hasAppDescription: boolean;
  /** The ELF's SHA-256 was written into the ESP-IDF app description. */
  readonly elfSha256Written: boolean;
}

function headerByte3(chip: ImageChip, options: ElfToImageOptions): number {
  const freqName = options.flashFreq === undefined || options.flashFreq === "keep" ? undefined : options.flashFreq;
  const freq = freqName === undefined ? 0 : (CHIP_FACTS[chip].flashFreqs[freqName] as number);
  let size: string = options.flashSize ?? "keep";
  if (size === "detect") size = (options.detectedFlashSizeBytes && flashSizeName(options.detectedFlashSizeBytes)) || "keep";
  if (size === "keep") size = ELF_IMAGE_DEFAULTS.flashSize;
  return FLASH_SIZE_CODES[size as keyof typeof FLASH_SIZE_CODES] | freq;
}

/**
 * Converts the ELF in `bytes` (named `fileName` in errors) into an application image for
 * `options.chip`. Throws `IMAGE_INVALID` for a file that is not a usable ELF, `CHIP_MISMATCH` for an
 * ELF built for another chip, `USAGE` for a header setting the chip does not know.
 */
export function elfToImage(bytes: Uint8Array, fileName: string, options: ElfToImageOptions): ElfImage {
  const { chip } = options;
  checkFlashSettings(chip, options);
  const elf = parseElf(bytes, fileName);
  checkElfForChip(elf, chip, fileName, options.chipSource ?? "--chip");
  const page = mmuPageBytes(elf, chip, fileName);
  const collected = collectSegments(elf, chip, page, fileName);
  const { segments: flash, patched } = withElfSha256(collected.flash, elf, bytes);
  const minRevFull = options.minRevFull ?? metadataMinRevision(elf) ?? 0;
  const maxRevFull = options.maxRevFull ?? ANY_REVISION;
  if (minRevFull > ANY_REVISION || maxRevFull > ANY_REVISION || minRevFull > maxRevFull) {
    throw new EspsyncError("USAGE", `chip revision range ${minRevFull}..${maxRevFull} for ${fileName} is not valid`, {
      hint: "Give revisions as major·100 + minor (v3.1 = 301), the minimum not above the maximum.",
    });
  }
  const mode = options.flashMode === undefined || options.flashMode === "keep" ? ELF_IMAGE_DEFAULTS.flashMode : options.flashMode;
  const written = writeAppImage(
    {
      chipId: CHIP_FACTS[chip].chipId,
      entry: elf.entry,
      flashMode: FLASH_MODE_CODES[mode as keyof typeof FLASH_MODE_CODES],
      flashSizeFreq: headerByte3(chip, options),
      // The legacy byte holds the major revision, as ESP-IDF's build passes it to esptool.
      minRev: Math.floor(minRevFull / 100),
      minRevFull,
      maxRevFull,
    },
    { flash, ram: collected.ram, mmuPageBytes: page, esp32LastPagePadding: chip === "esp32" },
    fileName,
  );
  const sections: ConvertedSection[] = [
    ...collected.flash.flatMap((s) => s.sections.map((ref) => ({ ...ref, kind: "flash" as const }))),
    ...collected.ram.flatMap((s) => s.sections.map((ref) => ({ ...ref, kind: "ram" as const }))),
  ];
  return {
    bytes: written.bytes,
    chip,
    entry: elf.entry,
    mmuPageBytes: page,
    sections,
    segments: written.segments,
    hasAppDescription: appDescSection(elf, chip) !== undefined,
    elfSha256Written: patched,
  };
}
