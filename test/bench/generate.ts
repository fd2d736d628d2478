/**
 * Generated ESP-IDF-shaped inputs for the benchmark: ESP images (bootloader, app with its app
 * description), a partition table and data partitions, built byte by byte from the format
 * (PROTOCOL.md §5.4–§5.6) and deterministic from their seeds.
 */
import { createHash } from "node:crypto";
import { codeLikeBytes, seededRandom } from "./prng.js";

/** Image chip id of the ESP32 (PROTOCOL.md §5.4). */
export const ESP32_CHIP_ID = 0;

/** One image segment: load address and bytes (length a multiple of 4). */
export interface Segment {
  readonly addr: number;
  readonly data: Uint8Array;
}

/** Options of {@link makeEspImage}. */
export interface EspImageOptions {
  readonly segments: readonly Segment[];
  readonly entry: number;
  /** Append the SHA-256 of the image (extended header byte 15 = 1), as every real IDF build does. */
  readonly sha256?: boolean;
  /** Header byte 3: flash size (high nibble) and frequency (low nibble). */
  readonly sizeFreq?: number;
}

/** A valid ESP image: header, extended header, segments, XOR checksum, optional SHA-256. */
export function makeEspImage(o: EspImageOptions): Uint8Array {
  const withSha = o.sha256 ?? true;
  const body = o.segments.reduce((n, s) => n + 8 + s.data.length, 0);
  const unpadded = 24 + body;
  const checksumAt = unpadded + (15 - (unpadded % 16));
  const out = new Uint8Array(checksumAt + 1 + (withSha ? 32 : 0));
  const v = new DataView(out.buffer);
  out.set([0xe9, o.segments.length, 0x02, o.sizeFreq ?? 0x20], 0);
  v.setUint32(4, o.entry, true);
  // Extended header: WP pin, drive settings, chip id, min revision, max revision, hash flag.
  out.set([0xee, 0, 0, 0], 8);
  v.setUint16(12, ESP32_CHIP_ID, true);
  v.setUint16(15, 0, true);
  v.setUint16(17, 0xffff, true);
  out[23] = withSha ? 1 : 0;
  let pos = 24;
  let checksum = 0xef;
  for (const s of o.segments) {
    v.setUint32(pos, s.addr, true);
    v.setUint32(pos + 4, s.data.length, true);
    out.set(s.data, pos + 8);
    for (const b of s.data) checksum ^= b;
    pos += 8 + s.data.length;
  }
  out[checksumAt] = checksum;
  if (withSha) out.set(createHash("sha256").update(out.subarray(0, checksumAt + 1)).digest(), checksumAt + 1);
  return out;
}

/** esp_app_desc_t (PROTOCOL.md §5.5): 256 bytes, version, project, build time and ELF hash. */
export function makeAppDescription(o: { version: string; project: string; buildTime: string; elfSeed: number }): Uint8Array {
  const d = new Uint8Array(256);
  const v = new DataView(d.buffer);
  v.setUint32(0, 0xabcd5432, true);
  const text = (s: string, at: number, max: number): void => d.set(Buffer.from(s).subarray(0, max - 1), at);
  text(o.version, 16, 32);
  text(o.project, 48, 32);
  text(o.buildTime.slice(0, 8), 80, 16);
  text("Aug 25 2024", 96, 16);
  text("v5.2.2", 112, 32);
  const elf = createHash("sha256").update(`elf:${o.elfSeed}:${o.buildTime}`).digest();
  d.set(elf, 144);
  return d;
}

/** Options of {@link makeApp}. */
export interface AppOptions {
  /** Approximate image size. */
  readonly sizeBytes: number;
  /** Seed of the code: same seed, same code. */
  readonly codeSeed: number;
  /** Build time string: a rebuild without code change differs only here (and in what hashes it). */
  readonly buildTime?: string;
  readonly sha256?: boolean;
  /** Overwrite bytes of the code segment (offsets into the image) — a local code change. */
  readonly patch?: (image: Uint8Array) => void;
}

/** Offset in the app image where the code segment's bytes start (after rodata). */
export function appCodeOffset(sizeBytes: number): number {
  return 24 + 8 + rodataBytes(sizeBytes) + 8;
}

function rodataBytes(sizeBytes: number): number {
  return Math.floor((sizeBytes * 0.3) / 4) * 4;
}

/** An app image: rodata segment led by the app description, then one big code segment. */
export function makeApp(o: AppOptions): Uint8Array {
  const desc = makeAppDescription({ version: "1.0.0", project: "bench", buildTime: o.buildTime ?? "10:00:00", elfSeed: o.codeSeed });
  const rodata = codeLikeBytes(rodataBytes(o.sizeBytes), o.codeSeed * 2 + 1);
  rodata.set(desc, 0);
  const codeBytes = Math.max(4, Math.floor((o.sizeBytes - rodata.length - 64) / 4) * 4);
  const code = codeLikeBytes(codeBytes, o.codeSeed * 2 + 2);
  const image = makeEspImage({
    entry: 0x400d1a2c,
    sha256: o.sha256 ?? true,
    segments: [
      { addr: 0x3f400020, data: rodata },
      { addr: 0x400d0020, data: code },
    ],
  });
  o.patch?.(image);
  return image;
}

/** A second-stage bootloader image of about 26 KiB. */
export function makeBootloader(seed: number): Uint8Array {
  return makeEspImage({
    entry: 0x40080644,
    segments: [
      { addr: 0x3fff0030, data: codeLikeBytes(0x1500, seed * 3 + 1) },
      { addr: 0x40078000, data: codeLikeBytes(0x3a00, seed * 3 + 2) },
      { addr: 0x40080400, data: codeLikeBytes(0x1600, seed * 3 + 3) },
    ],
  });
}

/** One partition table entry. */
export interface PartitionEntry {
  readonly type: number;
  readonly subtype: number;
  readonly offset: number;
  readonly sizeBytes: number;
  readonly label: string;
}

/** An IDF partition table (PROTOCOL.md §5.6): entries, MD5 entry, 0xFF to 3 KiB. */
export function makePartitionTable(entries: readonly PartitionEntry[]): Uint8Array {
  const out = new Uint8Array(0xc00).fill(0xff);
  const v = new DataView(out.buffer);
  entries.forEach((p, i) => {
    const at = i * 32;
    out.set([0xaa, 0x50, p.type, p.subtype], at);
    v.setUint32(at + 4, p.offset, true);
    v.setUint32(at + 8, p.sizeBytes, true);
    out.fill(0, at + 12, at + 32);
    out.set(Buffer.from(p.label), at + 12);
  });
  const md5At = entries.length * 32;
  out.set([0xeb, 0xeb], md5At);
  out.set(createHash("md5").update(out.subarray(0, md5At)).digest(), md5At + 16);
  return out;
}

/** nvs, phy_init, a factory app partition of `appSizeBytes`, and optionally a 1 MiB data partition. */
export function idfLayout(appSizeBytes: number, storage = true): PartitionEntry[] {
  const parts: PartitionEntry[] = [
    { type: 1, subtype: 2, offset: 0x9000, sizeBytes: 0x6000, label: "nvs" },
    { type: 1, subtype: 1, offset: 0xf000, sizeBytes: 0x1000, label: "phy_init" },
    { type: 0, subtype: 0, offset: 0x10000, sizeBytes: appSizeBytes, label: "factory" },
  ];
  if (storage) parts.push({ type: 1, subtype: 0x82, offset: 0x10000 + appSizeBytes, sizeBytes: 0x100000, label: "storage" });
  return parts;
}

/**
 * A 1 MiB data partition: sectors listed in `filled` hold file-system-like bytes (seeded by sector
 * index and `version[i]`), the rest is erased (0xFF).
 */
export function makeDataPartition(filled: readonly number[], versionOf: (sector: number) => number = () => 0): Uint8Array {
  const out = new Uint8Array(0x100000).fill(0xff);
  for (const s of filled) {
    const rnd = seededRandom(s * 7919 + versionOf(s) * 104729);
    const sector = codeLikeBytes(0x1000, s * 31 + versionOf(s) * 1009);
    // Records end short of the sector end, as a file system leaves free space.
    const used = 0x800 + Math.floor(rnd() * 0x700);
    out.set(sector.subarray(0, used), s * 0x1000);
  }
  return out;
}
