/**
 * The chip revisions an image runs on, read as esptool reads the extended header: a maximum of
 * 0xFFFF is ESP-IDF's "not set", and a maximum of 0 marks an image older than the full-revision
 * fields, whose only limit is the legacy minimum byte — the minor revision on the ESP32-C3, the
 * major revision elsewhere (esptool's `write_flash`).
 */
import type { EspImageExtHeader } from "./esp-image.js";

/** ESP-IDF's "no maximum" value of the max-revision field. */
const NO_MAXIMUM = 0xffff;
/** The ESP32-C3's image chip id, whose legacy minimum counts minor revisions. */
const ESP32C3_CHIP_ID = 5;

/** Lowest and highest revision (major·100 + minor); `max` undefined = no limit. */
export interface RevisionRange {
  readonly min: number;
  readonly max: number | undefined;
  /** The image predates the full-revision fields (max field 0): `min` comes from the legacy byte. */
  readonly legacy: boolean;
}

/** The revisions `ext` allows; see the module comment. */
export function revisionRange(ext: Pick<EspImageExtHeader, "chipId" | "minRev" | "minRevFull" | "maxRevFull">): RevisionRange {
  if (ext.maxRevFull === 0) {
    return { min: ext.chipId === ESP32C3_CHIP_ID ? ext.minRev : ext.minRev * 100, max: undefined, legacy: true };
  }
  return { min: ext.minRevFull, max: ext.maxRevFull === NO_MAXIMUM ? undefined : ext.maxRevFull, legacy: false };
}
