/**
 * Checks run before any port is opened. Pure: each failure throws an `EspsyncError` with its own
 * stable code, a message naming the file and the address, and a hint.
 */
import { EspsyncError, hex32 } from "../errors.js";
import { requireSectorAligned } from "../util/sector-alignment.js";
import { CHIP_FACTS, PARTITION_TABLE_OFFSET, describeChipId } from "./chip-table.js";
import { parseEspImage, type EspImageInfo } from "./esp-image.js";
import type { ImageRegion, ImageSet } from "./image-set.js";

function range(addr: number, sizeBytes: number): string {
  return `${hex32(addr)}..${hex32(addr + sizeBytes)}`;
}

/** Every ESP image in the set with where it sits: the region's own image and the parts of merged images. */
export function imagesOf(set: ImageSet): { region: ImageRegion; addr: number; kind: "bootloader" | "app"; image: EspImageInfo }[] {
  const out: { region: ImageRegion; addr: number; kind: "bootloader" | "app"; image: EspImageInfo }[] = [];
  for (const r of set.regions) {
    if ((r.kind === "bootloader" || r.kind === "app") && r.image !== undefined) out.push({ region: r, addr: r.addr, kind: r.kind, image: r.image });
    for (const p of r.parts ?? []) {
      if (p.kind !== "partition-table" && p.image !== undefined) out.push({ region: r, addr: p.addr, kind: p.kind, image: p.image });
    }
  }
  return out;
}

/** First byte of an ESP image (PROTOCOL.md §5.4). */
const IMAGE_MAGIC = 0xe9;

/**
 * Every image whose chip id says which chip it is for: those of {@link imagesOf}, plus files written
 * where no image is expected (a data region) that are nonetheless valid ESP images — an ESP32
 * bootloader given for 0x1000 on an ESP32-C3, say. esptool's write_flash checks the chip id of every
 * file that loads as an image; a data file that merely starts with 0xE9 is not one.
 */
export function chipTaggedImagesOf(set: ImageSet): { region: ImageRegion; addr: number; image: EspImageInfo }[] {
  const embedded = set.regions
    .filter((r) => r.kind === "data" && r.data[0] === IMAGE_MAGIC)
    .map((r) => ({ region: r, addr: r.addr, image: parseEspImage(r.data) }))
    .filter((i) => i.image.valid);
  return [...imagesOf(set), ...embedded].filter((i) => i.image.ext !== undefined);
}

/** How a chip source reads in a message, for the sources that name a chip on purpose; else undefined. */
function namedChipSource(chipSource: string | undefined): string | undefined {
  if (chipSource === "--chip") return "--chip";
  if (chipSource === "flasher_args.json") return "the chip in flasher_args.json";
  if (chipSource === "connected chip") return "the connected chip";
  return undefined; // guessed from an image header: the images are checked against each other instead
}

/**
 * Throws `CHIP_MISMATCH` when an image is built for another chip than `chip`; `chipSource` says
 * where `chip` came from (`--chip`, `the chip in flasher_args.json`, `the connected chip`).
 */
export function checkImagesForChip(set: ImageSet, chip: keyof typeof CHIP_FACTS, chipSource: string): void {
  const wantId = CHIP_FACTS[chip].chipId;
  for (const { region, addr, image } of chipTaggedImagesOf(set)) {
    const id = image.ext?.chipId;
    if (id !== undefined && id !== wantId) {
      throw new EspsyncError("CHIP_MISMATCH", `${region.sourcePath} at ${hex32(addr)} is built for ${describeChipId(id)}, but ${chipSource} is ${chip}`, {
        hint: `Build the project for ${chip} (idf.py set-target ${chip}), or use the board and images of one chip.`,
      });
    }
  }
}

/**
 * Throws `PARTITION_TABLE_INVALID` when the file written at the partition table's offset (0x8000)
 * is not a partition table — the bootloader would find no table there and the board would not boot.
 * `force` lets it through (a deliberate wipe, an unusual layout).
 */
export function checkPartitionTableSlot(set: ImageSet, options: { force?: boolean } = {}): void {
  if (options.force === true) return;
  const slot = set.regions.find((r) => r.addr === PARTITION_TABLE_OFFSET);
  if (slot === undefined || slot.kind === "partition-table" || slot.kind === "merged") return;
  throw new EspsyncError("PARTITION_TABLE_INVALID", `${slot.sourcePath} at ${hex32(slot.addr)} is not a partition table (no 0xAA50 entry at its start), but the bootloader reads its table there`, {
    hint: "Give the build's partition-table.bin for 0x8000 (or a CSV with --partition-table), or pass --force to write this file anyway.",
  });
}

/** Throws `LAYOUT_OUT_OF_RANGE` when a region ends past `flashSizeBytes`. */
export function checkFlashRange(set: ImageSet, flashSizeBytes: number, sizeSource: string): void {
  for (const r of set.regions) {
    if (r.addr + r.fileSizeBytes > flashSizeBytes) {
      throw new EspsyncError(
        "LAYOUT_OUT_OF_RANGE",
        `${r.sourcePath} at ${range(r.addr, r.fileSizeBytes)} ends past the end of the ${flashSizeBytes / 1048576} MiB flash (${sizeSource})`,
        { hint: "Check the address, or the flash size (--flash-size) if the chip has more flash." },
      );
    }
  }
}

/**
 * Pre-connect checks: alignment, overlaps, flash size (when given), ESP image validity at the
 * bootloader and app offsets (also inside merged images), chip ids agreeing with each other and with
 * the requested chip, the partition table, and apps fitting their partitions.
 */
export function validateImageSet(set: ImageSet): void {
  for (const r of set.regions) {
    requireSectorAligned(r.addr, `${r.sourcePath}: address`);
  }
  for (let i = 1; i < set.regions.length; i++) {
    const a = set.regions[i - 1] as ImageRegion;
    const b = set.regions[i] as ImageRegion;
    if (a.addr + a.data.length > b.addr) {
      throw new EspsyncError(
        "LAYOUT_OVERLAP",
        `${a.sourcePath} at ${range(a.addr, a.fileSizeBytes)} overlaps ${b.sourcePath} at ${range(b.addr, b.fileSizeBytes)}`,
        { hint: "Check the addresses: each 4 KiB sector may be written by one file only." },
      );
    }
  }
  if (set.flashSizeBytes !== undefined) checkFlashRange(set, set.flashSizeBytes, "--flash-size");

  const images = imagesOf(set);
  for (const { region, addr, kind, image } of images) {
    if (!image.valid) {
      throw new EspsyncError("IMAGE_INVALID", `${region.sourcePath}: the ${kind} at ${hex32(addr)} is not a valid ESP image: ${image.problems.join("; ")}`, {
        hint: `Check that the right file is given for ${hex32(addr)}; rebuild it if it was truncated or edited.`,
      });
    }
  }
  // The chip named before connecting (--chip, flasher_args.json) is checked against every image now,
  // so that a wrong pairing never reaches the port.
  const named = namedChipSource(set.chipSource);
  if (set.chip !== undefined && named !== undefined) checkImagesForChip(set, set.chip, named);
  const tagged = chipTaggedImagesOf(set);
  const first = tagged[0];
  for (const img of tagged) {
    const id = img.image.ext?.chipId;
    if (first !== undefined && id !== undefined && id !== first.image.ext?.chipId) {
      throw new EspsyncError(
        "CHIP_MISMATCH",
        `${img.region.sourcePath} at ${hex32(img.addr)} is built for ${describeChipId(id)} but ${first.region.sourcePath} at ${hex32(first.addr)} for ${describeChipId(first.image.ext?.chipId ?? -1)}`,
        { hint: "All images must come from builds for the same chip." },
      );
    }
  }
  if (set.partitionTable !== undefined) checkPartitions(set);
}

function checkPartitions(set: ImageSet): void {
  const pt = set.partitionTable;
  if (pt === undefined) return;
  if (!pt.table.valid) {
    throw new EspsyncError("PARTITION_TABLE_INVALID", `${pt.sourcePath}: partition table at ${hex32(pt.addr)} is invalid: ${pt.table.problems.join("; ")}`, {
      hint: "Regenerate the partition table from its CSV (gen_esp32part.py / idf.py partition-table).",
    });
  }
  const bySize = (addr: number, sizeBytes: number, file: string): void => {
    const p = pt.table.entries.find((e) => e.offset === addr);
    if (p !== undefined && sizeBytes > p.sizeBytes) {
      throw new EspsyncError(
        "PARTITION_TOO_SMALL",
        `${file} at ${hex32(addr)} is ${sizeBytes} bytes but partition "${p.label}" (${range(p.offset, p.sizeBytes)}) holds ${p.sizeBytes}`,
        { hint: "Make the partition bigger in the partition table CSV, or the image smaller." },
      );
    }
  };
  for (const r of set.regions) {
    if (r.kind === "merged") {
      for (const part of r.parts ?? []) if (part.kind === "app" && part.image) bySize(part.addr, part.image.imageLengthBytes, r.sourcePath);
    } else bySize(r.addr, r.fileSizeBytes, r.sourcePath);
  }
}
