/**
 * One file for production from an image set, as esptool's `merge-bin` makes it: raw (a binary for
 * one flash address, gaps filled with 0xFF), Intel HEX or UF2. The parts are the set's regions as
 * `flash` would write them — the bootloader header already patched for `--flash-mode/--flash-freq/
 * --flash-size` with its SHA-256 recomputed — without the 0xFF padding to a sector (the merged file
 * has its own). The set passes the same checks as before a flash.
 */
import { EspsyncError, hex32 } from "../errors.js";
import { requireSectorAligned } from "../util/sector-alignment.js";
import type { ImageChip } from "./chip-table.js";
import type { ImageSet, RegionKind } from "./image-set.js";
import { toIntelHex } from "./merge-intel-hex.js";
import { toRawImage, type MergeSegment } from "./merge-raw.js";
import { UF2_FAMILY_IDS, toUf2, type Uf2Options } from "./merge-uf2.js";
import { checkImagesForChip, validateImageSet } from "./validate.js";

export type { MergeSegment } from "./merge-raw.js";

/** Output formats, as esptool names them. */
export const MERGE_FORMATS = ["raw", "hex", "uf2"] as const;
/** An output format. */
export type MergeFormat = (typeof MERGE_FORMATS)[number];

/** How to merge. `targetOffset` and `fillToBytes` apply to raw only: HEX and UF2 carry addresses. */
export interface MergeOptions {
  /** Default `raw`. */
  readonly format?: MergeFormat;
  /** Flash address the raw file will be written at (default: the lowest part's address). */
  readonly targetOffset?: number;
  /** Pad the raw file with 0xFF up to this flash address (esptool `--fill-flash-size`/`--pad-to-size`). */
  readonly fillToBytes?: number;
  /** UF2 payload size and MD5 entries. */
  readonly uf2?: Uf2Options;
}

/** One part as it went into the merged file. */
export interface MergeSourcePart {
  readonly addr: number;
  readonly sizeBytes: number;
  readonly sourcePath: string;
  readonly kind: RegionKind;
  /** The bootloader header in it was patched. */
  readonly patched: boolean;
}

/** The merged file and what is in it. */
export interface MergedImage {
  readonly format: MergeFormat;
  /** The file's bytes (HEX as ASCII text). */
  readonly data: Uint8Array;
  /** Raw: the flash address to write the file at. HEX, UF2: the lowest address they hold. */
  readonly addr: number;
  /** Flash address just past the last part. */
  readonly dataEndAddr: number;
  readonly parts: readonly MergeSourcePart[];
  readonly chip: ImageChip | undefined;
  /** UF2 family id written (UF2 only). */
  readonly familyId?: number;
}

const FLASH_SETTING_FLAGS = { flashMode: "--flash-mode", flashFreq: "--flash-freq", flashSize: "--flash-size" } as const;

/** The chip must be known to patch a bootloader or to name a UF2 family, and every image must be built for it. */
function checkChip(set: ImageSet, format: MergeFormat): void {
  const wanted = Object.entries(FLASH_SETTING_FLAGS).filter(([key]) => (set.flashSettings[key as keyof typeof FLASH_SETTING_FLAGS] ?? "keep") !== "keep");
  if (set.flashSettings.flashSize === "detect") {
    throw new EspsyncError("USAGE", "--flash-size detect needs a chip to ask; a merged file is made without one", { hint: "Give the flash size, e.g. --flash-size 4MB, or keep" });
  }
  if (set.chip === undefined && (wanted.length > 0 || format === "uf2")) {
    const why = format === "uf2" ? "UF2 blocks carry the chip's family id" : `${wanted.map(([, flag]) => flag).join(", ")} patch the bootloader, whose offset depends on the chip`;
    throw new EspsyncError("USAGE", `the chip is not known from the images: ${why}`, { hint: "Name it with --chip, e.g. --chip esp32c3" });
  }
  if (set.chip === undefined) return;
  checkImagesForChip(set, set.chip, "the chip of the merge");
}

/** Raw-only options refused for HEX and UF2 (they would be silently ignored otherwise). */
function checkFormatOptions(format: MergeFormat, options: MergeOptions): void {
  if (format === "raw") {
    if (options.uf2 !== undefined && (options.uf2.chunkSizeBytes !== undefined || options.uf2.md5 === false)) {
      throw new EspsyncError("USAGE", "--chunk-size and --md5-disable apply to --format uf2 only", { hint: "Add --format uf2, or drop them" });
    }
    return;
  }
  if (options.targetOffset !== undefined || options.fillToBytes !== undefined) {
    throw new EspsyncError("USAGE", `--target-offset and --fill-flash-size apply to --format raw only; ${format === "hex" ? "Intel HEX" : "UF2"} carries each part's own address`, {
      hint: "Drop them, or use --format raw",
    });
  }
}

function rawRange(first: MergeSourcePart, dataEnd: number, options: MergeOptions): { start: number; end: number } {
  const start = options.targetOffset ?? first.addr;
  // The merged file is flashed at this address.
  requireSectorAligned(start, "--target-offset");
  if (start > first.addr) {
    throw new EspsyncError("LAYOUT_OUT_OF_RANGE", `--target-offset ${hex32(start)} is after ${first.sourcePath} at ${hex32(first.addr)}, the first part`, { hint: `Use ${hex32(first.addr)} or lower` });
  }
  const end = options.fillToBytes ?? dataEnd;
  if (end < dataEnd) {
    throw new EspsyncError("LAYOUT_OUT_OF_RANGE", `the merged parts end at ${hex32(dataEnd)}, past --fill-flash-size ${hex32(end)}`, { hint: "Give the chip's real flash size, or leave --fill-flash-size out" });
  }
  return { start, end };
}

/**
 * Merges the set into one file. Runs `validateImageSet` first (alignment, overlaps, images, chip ids,
 * partition table), then the merge's own checks; each failure is an `EspsyncError` with a hint.
 */
export function mergeImageSet(set: ImageSet, options: MergeOptions = {}): MergedImage {
  const format = options.format ?? "raw";
  validateImageSet(set);
  checkFormatOptions(format, options);
  checkChip(set, format);
  const parts: MergeSourcePart[] = set.regions.map((r) => ({ addr: r.addr, sizeBytes: r.fileSizeBytes, sourcePath: r.sourcePath, kind: r.kind, patched: r.patched }));
  const segments: MergeSegment[] = set.regions.map((r) => ({ addr: r.addr, bytes: r.data.subarray(0, r.fileSizeBytes) }));
  const first = parts[0];
  if (first === undefined) throw new EspsyncError("USAGE", "nothing to merge: no images given", { hint: "Give ADDR FILE pairs, --build DIR or --flasher-args FILE" });
  const dataEndAddr = Math.max(...segments.map((s) => s.addr + s.bytes.length));
  const base = { format, dataEndAddr, parts, chip: set.chip };
  if (format === "hex") return { ...base, addr: first.addr, data: Buffer.from(toIntelHex(segments), "ascii") };
  if (format === "uf2") {
    const familyId = UF2_FAMILY_IDS[set.chip as ImageChip];
    return { ...base, addr: first.addr, familyId, data: toUf2(segments, familyId, options.uf2) };
  }
  const { start, end } = rawRange(first, dataEndAddr, options);
  return { ...base, addr: start, data: toRawImage(segments, start, end) };
}
