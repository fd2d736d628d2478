/**
 * Parser of the ESP image format shared by second-stage bootloaders and apps (PROTOCOL.md §5.4):
 * 8-byte header, 16-byte extended header, up to 16 segments, a checksum byte at a 16-byte boundary
 * and an optional SHA-256 digest. Pure: never throws, reports every problem found instead.
 */
import { createHash } from "node:crypto";
import { toHex } from "../util/hex.js";

/** First byte of every ESP image (PROTOCOL.md §5.4). */
export const ESP_IMAGE_MAGIC = 0xe9;
/** Most segments an image may hold (PROTOCOL.md §5.4). */
export const MAX_SEGMENTS = 16;
/** Header (8) + extended header (16). */
export const IMAGE_HEADER_BYTES = 24;
/** Seed of the segment checksum (PROTOCOL.md §5.4). */
const CHECKSUM_SEED = 0xef;
const SHA256_BYTES = 32;

/** Flash mode names by header byte 2 (PROTOCOL.md §5.3). */
export const FLASH_MODE_NAMES = ["qio", "qout", "dio", "dout"] as const;

/** One segment of an image. */
export interface EspImageSegment {
  /** Address the ROM/bootloader loads (or maps) the segment at. */
  readonly loadAddr: number;
  /** Offset of the segment's data inside the file (after its 8-byte segment header). */
  readonly fileOffset: number;
  /** Length of the segment data. */
  readonly sizeBytes: number;
}

/** The extended header (PROTOCOL.md §5.4). */
export interface EspImageExtHeader {
  /** Write-protect pin (0xEE = none). */
  readonly wpPin: number;
  /** Chip id the image was built for (PROTOCOL.md §3.5). */
  readonly chipId: number;
  /** Legacy minimum revision byte. */
  readonly minRev: number;
  /** Minimum chip revision, major·100 + minor. */
  readonly minRevFull: number;
  /** Maximum chip revision, major·100 + minor. */
  readonly maxRevFull: number;
  /** Raw byte 15: 1 = SHA-256 appended, 0 = none, anything else invalid. */
  readonly hashAppended: number;
}

/** Everything `parseEspImage` learns about an image. */
export interface EspImageInfo {
  /** True when no problem was found. */
  readonly valid: boolean;
  /** Human-readable reasons the image is invalid (empty when valid). */
  readonly problems: readonly string[];
  /** Declared segment count (header byte 1). */
  readonly segmentCount: number;
  /** Header byte 2. */
  readonly flashMode: number;
  /** Flash mode name, or `unknown(N)`. */
  readonly flashModeName: string;
  /** Header byte 3: size in the high nibble, frequency code in the low nibble. */
  readonly flashSizeFreq: number;
  /** Entry point address. */
  readonly entryAddr: number;
  /** Extended header, when the file is long enough to hold one. */
  readonly ext: EspImageExtHeader | undefined;
  /** Segments that could be read. */
  readonly segments: readonly EspImageSegment[];
  /** Stored and computed checksum, when the checksum byte lies inside the file. */
  readonly checksum: { readonly stored: number; readonly computed: number; readonly valid: boolean } | undefined;
  /** Length of the image up to and including the checksum byte (the span the SHA-256 covers). */
  readonly dataLengthBytes: number;
  /** Stored and computed SHA-256 (hex), when the extended header says one is appended. */
  readonly sha256: { readonly stored: string; readonly computed: string; readonly valid: boolean } | undefined;
  /** Full image length including the digest (the rest of the file is padding or other data). */
  readonly imageLengthBytes: number;
}

/** Parses an ESP image at the start of `bytes`. Never throws; see `valid` and `problems`. */
export function parseEspImage(bytes: Uint8Array): EspImageInfo {
  const problems: string[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u8 = (o: number): number => bytes[o] ?? 0;
  if (bytes.length < IMAGE_HEADER_BYTES) {
    problems.push(`file is ${bytes.length} bytes, shorter than the ${IMAGE_HEADER_BYTES}-byte image header`);
  }
  if (u8(0) !== ESP_IMAGE_MAGIC) {
    problems.push(`magic byte is 0x${u8(0).toString(16).padStart(2, "0")}, expected 0xe9`);
  }
  const segmentCount = u8(1);
  const flashMode = u8(2);
  const base = {
    segmentCount,
    flashMode,
    flashModeName: FLASH_MODE_NAMES[flashMode] ?? `unknown(${flashMode})`,
    flashSizeFreq: u8(3),
    entryAddr: bytes.length >= 8 ? view.getUint32(4, true) : 0,
  };
  const ext: EspImageExtHeader | undefined =
    bytes.length >= IMAGE_HEADER_BYTES
      ? {
          wpPin: u8(8),
          chipId: view.getUint16(12, true),
          minRev: u8(14),
          minRevFull: view.getUint16(15, true),
          maxRevFull: view.getUint16(17, true),
          hashAppended: u8(23),
        }
      : undefined;
  if (problems.length > 0) {
    return { ...base, valid: false, problems, ext, segments: [], checksum: undefined, sha256: undefined, dataLengthBytes: 0, imageLengthBytes: 0 };
  }
  if (ext !== undefined && ext.hashAppended > 1) {
    problems.push(`extended header byte 15 (hash appended) is ${ext.hashAppended}, expected 0 or 1`);
  }
  if (segmentCount > MAX_SEGMENTS) problems.push(`segment count is ${segmentCount}, more than ${MAX_SEGMENTS}`);
  if (segmentCount === 0) problems.push("segment count is 0");

  const segments: EspImageSegment[] = [];
  let pos = IMAGE_HEADER_BYTES;
  let checksum = CHECKSUM_SEED;
  for (let i = 0; i < Math.min(segmentCount, MAX_SEGMENTS); i++) {
    if (pos + 8 > bytes.length) {
      problems.push(`segment ${i} header at file offset 0x${pos.toString(16)} lies past the end of the file`);
      break;
    }
    const loadAddr = view.getUint32(pos, true);
    const sizeBytes = view.getUint32(pos + 4, true);
    const fileOffset = pos + 8;
    if (fileOffset + sizeBytes > bytes.length) {
      problems.push(`segment ${i} (${sizeBytes} bytes at file offset 0x${fileOffset.toString(16)}) runs past the end of the file`);
      break;
    }
    segments.push({ loadAddr, fileOffset, sizeBytes });
    for (let j = fileOffset; j < fileOffset + sizeBytes; j++) checksum ^= bytes[j] as number;
    pos = fileOffset + sizeBytes;
  }

  let checksumInfo: EspImageInfo["checksum"];
  let dataLengthBytes = 0;
  let sha256: EspImageInfo["sha256"];
  if (problems.length === 0) {
    // The checksum byte sits at the last byte of the 16-byte line after the segments (esptool's
    // align_file_position(f, 16)).
    const checksumAt = pos + (15 - (pos % 16));
    dataLengthBytes = checksumAt + 1;
    if (checksumAt >= bytes.length) {
      problems.push(`checksum byte at file offset 0x${checksumAt.toString(16)} lies past the end of the file`);
    } else {
      const stored = u8(checksumAt);
      checksumInfo = { stored, computed: checksum, valid: stored === checksum };
      if (!checksumInfo.valid) {
        problems.push(`checksum is 0x${stored.toString(16).padStart(2, "0")}, computed 0x${checksum.toString(16).padStart(2, "0")}`);
      }
    }
    if (ext?.hashAppended === 1 && checksumInfo !== undefined) {
      if (dataLengthBytes + SHA256_BYTES > bytes.length) {
        problems.push(`SHA-256 digest at file offset 0x${dataLengthBytes.toString(16)} lies past the end of the file`);
      } else {
        const stored = toHex(bytes.subarray(dataLengthBytes, dataLengthBytes + SHA256_BYTES));
        const computed = createHash("sha256").update(bytes.subarray(0, dataLengthBytes)).digest("hex");
        sha256 = { stored, computed, valid: stored === computed };
        if (!sha256.valid) problems.push(`appended SHA-256 is ${stored}, computed ${computed}`);
      }
    }
  }
  const imageLengthBytes = dataLengthBytes + (sha256 === undefined ? 0 : SHA256_BYTES);
  return { ...base, valid: problems.length === 0, problems, ext, segments, checksum: checksumInfo, dataLengthBytes, sha256, imageLengthBytes };
}
