/**
 * Per-chip facts the image layer needs: the chip id stored in an image's extended header, the flash
 * offset of the second-stage bootloader (PROTOCOL.md §3.5) and the flash frequency codes of the
 * bootloader header (PROTOCOL.md §5.3).
 */

/** Chip families whose images espsync understands, spelled as esptool does. */
export const IMAGE_CHIPS = ["esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c6", "esp32h2", "esp32c5", "esp32p4", "esp32c61"] as const;

/** A chip family name (`esp32c3`). Same spelling as `ChipName` in the protocol layer. */
export type ImageChip = (typeof IMAGE_CHIPS)[number];

/** Generic flash frequency codes (low nibble of header byte 3), PROTOCOL.md §5.3. */
const FREQ_GENERIC = { "80m": 0xf, "40m": 0x0, "26m": 0x1, "20m": 0x2 } as const;

/** Facts about one chip family. */
export interface ChipFacts {
  /** Chip id in the image extended header (PROTOCOL.md §3.5). */
  readonly chipId: number;
  /** Flash offset of the second-stage bootloader (PROTOCOL.md §3.5). */
  readonly bootloaderOffset: number;
  /** Flash frequency name → header nibble (PROTOCOL.md §5.3). */
  readonly flashFreqs: Readonly<Record<string, number>>;
}

/** Chip facts table, PROTOCOL.md §3.5 and §5.3. */
export const CHIP_FACTS: Readonly<Record<ImageChip, ChipFacts>> = {
  esp32: { chipId: 0, bootloaderOffset: 0x1000, flashFreqs: FREQ_GENERIC },
  esp32s2: { chipId: 2, bootloaderOffset: 0x1000, flashFreqs: FREQ_GENERIC },
  esp32s3: { chipId: 9, bootloaderOffset: 0x0, flashFreqs: FREQ_GENERIC },
  esp32c3: { chipId: 5, bootloaderOffset: 0x0, flashFreqs: FREQ_GENERIC },
  esp32c2: { chipId: 12, bootloaderOffset: 0x0, flashFreqs: { "60m": 0xf, "30m": 0x0, "20m": 0x1, "15m": 0x2 } },
  esp32c6: { chipId: 13, bootloaderOffset: 0x0, flashFreqs: { "80m": 0x0, "40m": 0x0, "20m": 0x2 } },
  esp32h2: { chipId: 16, bootloaderOffset: 0x0, flashFreqs: { "48m": 0xf, "24m": 0x0, "16m": 0x1, "12m": 0x2 } },
  esp32p4: { chipId: 18, bootloaderOffset: 0x2000, flashFreqs: FREQ_GENERIC },
  esp32c5: { chipId: 23, bootloaderOffset: 0x2000, flashFreqs: FREQ_GENERIC },
  esp32c61: { chipId: 20, bootloaderOffset: 0x0, flashFreqs: FREQ_GENERIC },
} as const;

/** Default partition table offset (PROTOCOL.md §5.6). */
export const PARTITION_TABLE_OFFSET = 0x8000;
/** Default offset of the first app (factory) partition in ESP-IDF / Arduino / PlatformIO builds. */
export const DEFAULT_APP_OFFSET = 0x10000;

/** True when `name` is a chip family espsync knows. */
export function isImageChip(name: string): name is ImageChip {
  return (IMAGE_CHIPS as readonly string[]).includes(name);
}

/** The chip family with extended-header chip id `chipId`, or undefined. */
export function chipForId(chipId: number): ImageChip | undefined {
  return IMAGE_CHIPS.find((c) => CHIP_FACTS[c].chipId === chipId);
}

/** Names a chip id for messages: `esp32c3 (chip id 5)` or `chip id 99`. */
export function describeChipId(chipId: number): string {
  const chip = chipForId(chipId);
  return chip === undefined ? `chip id ${chipId}` : `${chip} (chip id ${chipId})`;
}
