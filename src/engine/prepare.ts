/**
 * The steps every engine operation takes right after connecting: security checks, then the image
 * set rebuilt and re-validated for the connected chip (`finalizeForChip`) — the engine plans only from
 * that set (bootloader patched for this chip, flash size detected).
 */
import { finalizeForChip, type ImageSet } from "../image/index.js";
import type { Device } from "../protocol/device.js";
import { checkSecurity, type SecurityIntent, type SecurityMode } from "./security.js";

/** The prepared inputs. */
export interface Prepared {
  readonly mode: SecurityMode;
  readonly images: ImageSet;
}

/** Runs the post-connect checks; throws the first failure (FLASH_ENCRYPTED, CHIP_MISMATCH, …). */
export function prepare(device: Device, images: ImageSet, intent: SecurityIntent & { force?: boolean }): Prepared {
  const mode = checkSecurity(device, intent);
  const chip = device.chip;
  const finalized = finalizeForChip(images, { chip: chip.chip, revisionFull: chip.revisionFull, flashSizeBytes: chip.flashSizeBytes }, { force: intent.force === true });
  return { mode, images: finalized };
}
