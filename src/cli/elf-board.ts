/**
 * The per-board step of flashing ELF apps. ELF apps that wait for the chip (see `attachElfApps`) are
 * converted once a board is connected: for the chip it is, placed by the partition table already on
 * its flash when no table is being written — read from 0x8000, as `partitions --from-chip` reads it
 * — and at 0x10000 (the default layout's factory app) when the chip holds none. The result goes
 * through the delta engine like any other image set.
 */
import { hex32 } from "../errors.js";
import { PARTITION_TABLE_MAX_BYTES, PARTITION_TABLE_OFFSET, completeElfApps, elfTargetChip, looksLikePartitionTable, parsePartitionTable, type ImageSet, type ImageSetWithElf, type PartitionTable } from "../image/index.js";
import type { Device } from "../protocol/device.js";

/** The valid partition table on the chip, or undefined (with a note saying why) when there is none. */
async function readChipTable(device: Device, note: (line: string) => void): Promise<PartitionTable | undefined> {
  const fallback = `the app goes to ${hex32(0x10000)}, the default layout's factory partition; pass --partition-table to write one`;
  if (device.chip.security?.secureDownloadMode === true) {
    note(`Secure Download Mode: the partition table on the chip cannot be read; ${fallback}`);
    return undefined;
  }
  const bytes = await device.read(PARTITION_TABLE_OFFSET, PARTITION_TABLE_MAX_BYTES);
  const table = looksLikePartitionTable(bytes) ? parsePartitionTable(bytes) : undefined;
  if (table === undefined || !table.valid) {
    note(`no valid partition table on the chip at ${hex32(PARTITION_TABLE_OFFSET)}; ${fallback}`);
    return undefined;
  }
  return table;
}

/** The image set for this board: `images` itself unless ELF apps wait for the chip. */
export async function imagesForBoard(images: ImageSetWithElf, device: Device, note: (line: string) => void): Promise<ImageSet> {
  const pending = images.elfApps;
  if (pending === undefined) return images;
  // A wrong chip is refused before anything is read from it.
  elfTargetChip(pending, device.chip.chip);
  const chipTable = pending.needsChipTable ? await readChipTable(device, note) : undefined;
  return completeElfApps(images, {
    chip: device.chip.chip,
    ...(chipTable !== undefined && { chipTable }),
    ...(device.chip.flashSizeBytes > 0 && { detectedFlashSizeBytes: device.chip.flashSizeBytes }),
  });
}
