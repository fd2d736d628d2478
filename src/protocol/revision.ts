/**
 * Chip revision (major·100 + minor) from eFuse words, computed here rather than by esptool-js:
 * its ESP32-S3 class inherits the ESP32 `getChipRevision`, which reads ESP32 eFuse addresses that
 * mean nothing on an S3 (PROTOCOL.md §3.3 "esptool-js quirk reads").
 */

/** eFuse word addresses of the "block 1" layout shared by ESP32-S3 and ESP32-C3 (§3.3). */
export const EFUSE_REVISION_WORDS = {
  esp32s3: { word3: 0x60007050, word5: 0x60007058, blk2Word4: 0x6000706c },
  esp32c3: { word3: 0x60008850, word5: 0x60008858 },
} as const;

/**
 * The ESP32-C2's eFuse BLOCK2 word 1, which holds its revision beside MAC bytes 0..1 (esptool's
 * `esp32c2.py`). esptool-js's C2 class inherits the ESP32-C3's version readers, which read C3
 * addresses that mean something else on a C2.
 */
export const ESP32C2_REVISION_WORD = 0x60008844;

/** ESP32-C2 revision: minor = bits 16–19, major = bits 20–21 of {@link ESP32C2_REVISION_WORD}. */
export function esp32c2Revision(word: number): number {
  return ((word >>> 20) & 0x3) * 100 + ((word >>> 16) & 0xf);
}

/** ESP32 revision registers (§3.3). */
export const ESP32_REVISION_REGS = { word3: 0x3ff5a00c, word5: 0x3ff5a014, apbCtlDate: 0x3ff6607c } as const;

/**
 * ESP32-S3/C3 revision: minor = word5 bit 23 (high) and word3 bits 18–20 (low), major = word5
 * bits 24–25. On S3 (when `blk2Word4` is given) a v0.0 chip is recognised by block version 1.1
 * (major in blk2 word4 bits 0–1, minor in word3 bits 24–26), whose major field means something else.
 */
export function revisionFromBlock1(word3: number, word5: number, blk2Word4?: number): number {
  const minorLow = (word3 >>> 18) & 0x7;
  const minor = (((word5 >>> 23) & 0x1) << 3) | minorLow;
  const major = (word5 >>> 24) & 0x3;
  if (blk2Word4 !== undefined && minorLow === 0) {
    const blkMajor = blk2Word4 & 0x3;
    const blkMinor = (word3 >>> 24) & 0x7;
    if (blkMajor === 1 && blkMinor === 1) return 0;
  }
  return major * 100 + minor;
}

/** ESP32 revision: major from three scattered bits (esptool's table), minor from word5 bits 24–25. */
export function esp32Revision(word3: number, word5: number, apbCtlDate: number): number {
  const combined = (((word3 >>> 15) & 1) << 2) | (((word5 >>> 20) & 1) << 1) | ((apbCtlDate >>> 31) & 1);
  const major = ({ 0: 0, 4: 1, 6: 2, 7: 3 } as Record<number, number>)[combined] ?? 0;
  const minor = (word5 >>> 24) & 0x3;
  return major * 100 + minor;
}

/** `v3.1` for 301. */
export function formatRevision(revisionFull: number): string {
  return `v${Math.floor(revisionFull / 100)}.${revisionFull % 100}`;
}
