/**
 * Checks that need the connected chip, run right after connecting and before any write, and the
 * rebuild of the set for that chip (bootloader classification, `--flash-size detect`). Pure.
 */
import { EspsyncError, hex32 } from "../errors.js";
import type { ImageChip } from "./chip-table.js";
import { buildImageSet, type ImageSet } from "./image-set.js";
import { revisionRange } from "./revision-range.js";
import { checkFlashRange, checkImagesForChip, imagesOf, validateImageSet } from "./validate.js";

/** What the image layer needs to know about the connected chip. */
export interface ConnectedChip {
  readonly chip: ImageChip;
  /** Revision, major·100 + minor. */
  readonly revisionFull: number;
  /** Detected flash size; 0 when unknown. */
  readonly flashSizeBytes: number;
}

function revision(full: number): string {
  return `v${Math.floor(full / 100)}.${full % 100}`;
}


/**
 * Throws `CHIP_MISMATCH` when the set was meant for another chip, `CHIP_REVISION_TOO_OLD` when an
 * image needs a newer revision and `CHIP_REVISION_TOO_NEW` when the chip is newer than an image
 * supports (both unless `force`; ESP-IDF's bootloader would refuse to run it),
 * `LAYOUT_OUT_OF_RANGE` past the detected flash size.
 */
export function validateForChip(set: ImageSet, chip: ConnectedChip, options: { force?: boolean } = {}): void {
  if (set.chip !== undefined && set.chip !== chip.chip && set.chipSource !== undefined) {
    throw new EspsyncError("CHIP_MISMATCH", `the images are for ${set.chip} (from ${set.chipSource}) but the connected chip is ${chip.chip}`, {
      hint: `Connect an ${set.chip}, or flash images built for ${chip.chip}.`,
    });
  }
  checkImagesForChip(set, chip.chip, "the connected chip");
  for (const { region, addr, image } of imagesOf(set)) {
    const ext = image.ext;
    if (ext === undefined) continue;
    const range = revisionRange(ext);
    if (range.min > chip.revisionFull && options.force !== true) {
      throw new EspsyncError(
        "CHIP_REVISION_TOO_OLD",
        `${region.sourcePath} at ${hex32(addr)} needs ${chip.chip} revision ${revision(range.min)} or newer; the chip is ${revision(chip.revisionFull)}`,
        { hint: "Rebuild with a lower minimum chip revision (CONFIG_ESP_REV_MIN_FULL), or pass --force to write anyway." },
      );
    }
    const maxRev = range.max;
    if (maxRev !== undefined && chip.revisionFull > maxRev && options.force !== true) {
      throw new EspsyncError(
        "CHIP_REVISION_TOO_NEW",
        `${region.sourcePath} at ${hex32(addr)} runs on ${chip.chip} revisions ${revision(range.min)} to ${revision(maxRev)}; the chip is ${revision(chip.revisionFull)}`,
        { hint: "Rebuild with ESP-IDF support for this chip revision (a newer ESP-IDF, or its revision options), or pass --force to write anyway." },
      );
    }
  }
  if (chip.flashSizeBytes > 0) checkFlashRange(set, chip.flashSizeBytes, "detected");
  // A bootloader told of more flash than the chip has would let the app address flash that is not
  // there; esptool only warns, which is easy to miss in a CI log.
  if (chip.flashSizeBytes > 0 && set.flashSizeBytes !== undefined && set.flashSizeBytes > chip.flashSizeBytes && options.force !== true) {
    throw new EspsyncError("LAYOUT_OUT_OF_RANGE", `--flash-size ${set.flashSizeBytes / 0x100000}MB is larger than the ${chip.flashSizeBytes / 0x100000} MB flash the chip reports`, {
      hint: "Use --flash-size detect (or keep), or pass --force if the flash id misreports the size.",
    });
  }
}

/**
 * Rebuilds the set for the connected chip: the file at that chip's bootloader offset becomes the
 * bootloader (and is patched), `--flash-size detect` uses the detected size. Then re-runs
 * {@link validateImageSet} and {@link validateForChip} on the result and returns it.
 */
export function finalizeForChip(set: ImageSet, chip: ConnectedChip, options: { force?: boolean } = {}): ImageSet {
  validateForChip(set, chip, options);
  const rebuilt = buildImageSet(set.files, {
    chip: chip.chip,
    chipSource: set.chipSource ?? "connected chip",
    flashSettings: set.flashSettings,
    ...(set.flashSizeBytes !== undefined && { flashSizeBytes: set.flashSizeBytes }),
    detectedFlashSizeBytes: chip.flashSizeBytes,
  });
  validateImageSet(rebuilt);
  validateForChip(rebuilt, chip, options);
  return rebuilt;
}
