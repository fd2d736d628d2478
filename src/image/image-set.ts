/**
 * The set of images to put on flash, classified and prepared: every region knows what it is
 * (bootloader, partition table, app, merged image or plain data), carries its parsed contents and
 * the exact bytes to compare and write (bootloader header patched, padded with 0xFF to a sector).
 * Built purely from loaded files by {@link buildImageSet}; reading files is `readImageSet`'s job.
 */
import { padToSector } from "../util/sectors.js";
import { parseAppDescription, parseBootloaderDescription, type AppDescription, type BootloaderDescription } from "./app-desc.js";
import { patchBootloader, type FlashSettings } from "./bootloader-patch.js";
import { CHIP_FACTS, DEFAULT_APP_OFFSET, PARTITION_TABLE_OFFSET, chipForId, type ImageChip } from "./chip-table.js";
import { ESP_IMAGE_MAGIC, parseEspImage, type EspImageInfo } from "./esp-image.js";
import { looksLikePartitionTable, parsePartitionTable, type PartitionTable } from "./partition-table.js";

/** What a region holds. */
export type RegionKind = "bootloader" | "partition-table" | "app" | "merged" | "data";

/** A file as read from disk, before classification. */
export interface LoadedFile {
  /** Flash address it goes to. */
  readonly addr: number;
  /** Path as given (for messages). */
  readonly path: string;
  /** File contents, untouched. */
  readonly bytes: Uint8Array;
  /** `app`: an application wherever it sits (an ELF converted for its partition), not only at an app partition's offset. */
  readonly role?: "app";
}

/** A part found inside a merged image. */
export interface MergedPart {
  readonly kind: "bootloader" | "partition-table" | "app";
  /** Flash address of the part. */
  readonly addr: number;
  /** Bytes of the file the part spans (for apps: up to the end of the partition or the file). */
  readonly sizeBytes: number;
  /** Parsed image (bootloader, app). */
  readonly image?: EspImageInfo;
  /** App description (apps). */
  readonly appDesc?: AppDescription;
  /** Bootloader description (bootloader). */
  readonly bootloaderDesc?: BootloaderDescription;
}

/** One contiguous range of flash to make equal to `data`. */
export interface ImageRegion {
  /** Flash address (4 KiB aligned once validated). */
  readonly addr: number;
  /** Bytes to compare and write: patched, padded with 0xFF to the end of the last sector. */
  readonly data: Uint8Array;
  /** Length of the file before padding. */
  readonly fileSizeBytes: number;
  /** The file it came from. */
  readonly sourcePath: string;
  readonly kind: RegionKind;
  /** Parsed ESP image (bootloader, app, and the start of a merged image). */
  readonly image?: EspImageInfo;
  readonly appDesc?: AppDescription;
  readonly bootloaderDesc?: BootloaderDescription;
  /** Parsed table (partition-table regions). */
  readonly partitionTable?: PartitionTable;
  /** Parts of a merged image. */
  readonly parts?: readonly MergedPart[];
  /** Header bytes 2–3 of the bootloader in this region were patched. */
  readonly patched: boolean;
}

/** Everything to be flashed, plus what is known about the target before connecting. */
export interface ImageSet {
  /** Regions sorted by address. */
  readonly regions: readonly ImageRegion[];
  /** The loaded files the regions were built from (kept so the set can be rebuilt for the chip). */
  readonly files: readonly LoadedFile[];
  /** The partition table being written (own region or inside a merged image). */
  readonly partitionTable?: { readonly addr: number; readonly table: PartitionTable; readonly sourcePath: string };
  /** Chip the set was classified for. */
  readonly chip: ImageChip | undefined;
  /** Where `chip` came from: `option`, `flasher_args.json`, or the file whose header named it. */
  readonly chipSource: string | undefined;
  /** Header settings requested (per field `keep` when absent). */
  readonly flashSettings: FlashSettings;
  /** Flash size given explicitly (`--flash-size 4MB`), for range checks before connecting. */
  readonly flashSizeBytes: number | undefined;
}

/** Options of {@link buildImageSet}. */
export interface BuildOptions {
  readonly chip?: ImageChip;
  readonly chipSource?: string;
  readonly flashSettings?: FlashSettings;
  readonly flashSizeBytes?: number;
  /** Detected flash size, resolves `flashSize: "detect"` (after connecting). */
  readonly detectedFlashSizeBytes?: number;
}

/** Guesses the chip from the extended header of an image sitting at that chip's bootloader offset. */
export function guessChip(files: readonly LoadedFile[]): { chip: ImageChip; source: string } | undefined {
  for (const f of files) {
    for (const off of [0x0, 0x1000, 0x2000]) {
      const at = off - f.addr;
      if (at < 0 || at + 24 > f.bytes.length || f.bytes[at] !== ESP_IMAGE_MAGIC) continue;
      const chipId = (f.bytes[at + 12] ?? 0) | ((f.bytes[at + 13] ?? 0) << 8);
      const chip = chipForId(chipId);
      if (chip !== undefined && CHIP_FACTS[chip].bootloaderOffset === off) return { chip, source: f.path };
    }
  }
  return undefined;
}

function imagePart(bytes: Uint8Array, kind: "bootloader" | "app"): { image: EspImageInfo; appDesc?: AppDescription; bootloaderDesc?: BootloaderDescription } {
  const image = parseEspImage(bytes);
  if (kind === "app") {
    const appDesc = parseAppDescription(bytes, image);
    return appDesc === undefined ? { image } : { image, appDesc };
  }
  const bootloaderDesc = parseBootloaderDescription(bytes, image);
  return bootloaderDesc === undefined ? { image } : { image, bootloaderDesc };
}

/** True when `f` holds a partition table at the default offset: a merged image. */
function isMerged(f: LoadedFile): boolean {
  const at = PARTITION_TABLE_OFFSET - f.addr;
  return at > 0 && at + 32 <= f.bytes.length && looksLikePartitionTable(f.bytes.subarray(at));
}

function mergedParts(f: LoadedFile, bootloaderOffset: number | undefined): { parts: MergedPart[]; table: PartitionTable } {
  const end = f.addr + f.bytes.length;
  const slice = (addr: number, to: number): Uint8Array => f.bytes.subarray(addr - f.addr, Math.min(to, end) - f.addr);
  const table = parsePartitionTable(slice(PARTITION_TABLE_OFFSET, PARTITION_TABLE_OFFSET + 0x1000));
  const parts: MergedPart[] = [];
  if (bootloaderOffset !== undefined && bootloaderOffset >= f.addr && bootloaderOffset < PARTITION_TABLE_OFFSET) {
    const b = slice(bootloaderOffset, PARTITION_TABLE_OFFSET);
    parts.push({ kind: "bootloader", addr: bootloaderOffset, sizeBytes: b.length, ...imagePart(b, "bootloader") });
  }
  parts.push({ kind: "partition-table", addr: PARTITION_TABLE_OFFSET, sizeBytes: Math.min(0x1000, end - PARTITION_TABLE_OFFSET) });
  for (const p of table.entries) {
    if (p.type !== 0 || p.offset < f.addr || p.offset >= end) continue;
    const a = slice(p.offset, p.offset + p.sizeBytes);
    if (a[0] !== ESP_IMAGE_MAGIC) continue; // an empty OTA slot inside the file: plain data
    parts.push({ kind: "app", addr: p.offset, sizeBytes: a.length, ...imagePart(a, "app") });
  }
  return { parts, table };
}

/**
 * Classifies and prepares loaded files. Pure. With a chip known, the file at its bootloader offset is
 * the bootloader and is patched per `flashSettings`; without one, the chip is guessed from image
 * headers and, failing that, no file is treated as a bootloader (the set is rebuilt after connect,
 * see `finalizeForChip`).
 */
export function buildImageSet(files: readonly LoadedFile[], options: BuildOptions = {}): ImageSet {
  const guessed = options.chip === undefined ? guessChip(files) : undefined;
  const chip = options.chip ?? guessed?.chip;
  const chipSource = options.chip !== undefined ? options.chipSource ?? "option" : guessed?.source;
  const bootloaderOffset = chip === undefined ? undefined : CHIP_FACTS[chip].bootloaderOffset;
  const flashSettings = options.flashSettings ?? {};
  const sorted = [...files].sort((a, b) => a.addr - b.addr);

  let partitionTable: ImageSet["partitionTable"];
  for (const f of sorted) {
    if (looksLikePartitionTable(f.bytes) && f.addr !== 0) partitionTable = { addr: f.addr, table: parsePartitionTable(f.bytes), sourcePath: f.path };
  }
  const merged = new Map<LoadedFile, ReturnType<typeof mergedParts>>();
  for (const f of sorted) {
    if (!isMerged(f)) continue;
    const m = mergedParts(f, bootloaderOffset);
    merged.set(f, m);
    partitionTable ??= { addr: PARTITION_TABLE_OFFSET, table: m.table, sourcePath: f.path };
  }
  const appOffsets = new Set(
    partitionTable === undefined ? [DEFAULT_APP_OFFSET] : partitionTable.table.entries.filter((p) => p.type === 0).map((p) => p.offset),
  );

  const regions = sorted.map((f): ImageRegion => {
    const base = { addr: f.addr, fileSizeBytes: f.bytes.length, sourcePath: f.path };
    // Only the image at the chip's bootloader offset is patched; inside a merged image that means the
    // part at that offset, with everything after it kept.
    const patchAt = bootloaderOffset === undefined ? -1 : bootloaderOffset - f.addr;
    let bytes = f.bytes;
    let patched = false;
    if (patchAt >= 0 && patchAt < f.bytes.length && (patchAt === 0 || merged.has(f))) {
      const limit = patchAt === 0 && !merged.has(f) ? f.bytes.length : PARTITION_TABLE_OFFSET - f.addr;
      const p = patchBootloader(f.bytes.subarray(patchAt, limit), chip as ImageChip, flashSettings, options.detectedFlashSizeBytes);
      if (p.patched) {
        bytes = Uint8Array.from(f.bytes);
        bytes.set(p.data, patchAt);
        patched = true;
      }
    }
    const data = padToSector(bytes);
    const m = merged.get(f);
    if (m !== undefined) {
      const parts = patched ? mergedParts({ ...f, bytes }, bootloaderOffset).parts : m.parts;
      const first = f.bytes[0] === ESP_IMAGE_MAGIC ? parseEspImage(bytes) : undefined;
      return { ...base, data, kind: "merged", parts, patched, ...(first && { image: first }) };
    }
    if (f.addr === bootloaderOffset) return { ...base, data, kind: "bootloader", patched, ...imagePart(bytes, "bootloader") };
    if (partitionTable !== undefined && f.addr === partitionTable.addr && f.path === partitionTable.sourcePath) {
      return { ...base, data, kind: "partition-table", partitionTable: partitionTable.table, patched };
    }
    if (appOffsets.has(f.addr) || f.role === "app") return { ...base, data, kind: "app", patched, ...imagePart(bytes, "app") };
    return { ...base, data, kind: "data", patched };
  });

  return {
    regions,
    files: sorted,
    ...(partitionTable && { partitionTable }),
    chip,
    chipSource,
    flashSettings,
    flashSizeBytes: options.flashSizeBytes,
  };
}
