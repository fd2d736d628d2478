/**
 * Builds ESP images and partition tables byte by byte, straight from the format description
 * (PROTOCOL.md §5.4, §5.6), independently of the parsers under test.
 */
import { createHash } from "node:crypto";

/** Options of {@link makeImage}. */
export interface MakeImageOptions {
  chipId?: number;
  minRevFull?: number;
  /** Legacy minimum revision byte (header byte 14). */
  minRevLegacy?: number;
  /** Highest chip revision the image runs on (0xFFFF = not set, the default; 0 = an image older than the field). */
  maxRevFull?: number;
  /** Value of extended header byte 15 (1 = SHA-256 appended). */
  hashByte?: number;
  flashMode?: number;
  sizeFreq?: number;
  segments?: { addr: number; data: Uint8Array }[];
  /** Declared segment count (defaults to the real count). */
  segmentCount?: number;
}

/** A valid ESP image with the given fields. */
export function makeImage(o: MakeImageOptions = {}): Uint8Array {
  const segments = o.segments ?? [
    { addr: 0x3c000020, data: Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + 1) & 0xff) },
    { addr: 0x40380000, data: Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + 5) & 0xff) },
  ];
  const bytes: number[] = [0xe9, o.segmentCount ?? segments.length, o.flashMode ?? 2, o.sizeFreq ?? 0x1f, 0x00, 0x00, 0x38, 0x40];
  const chipId = o.chipId ?? 5;
  const minRev = o.minRevFull ?? 0;
  const maxRev = o.maxRevFull ?? 0xffff;
  bytes.push(0xee, 0, 0, 0, chipId & 0xff, chipId >> 8, o.minRevLegacy ?? 0, minRev & 0xff, minRev >> 8, maxRev & 0xff, maxRev >> 8, 0, 0, 0, 0, o.hashByte ?? 1);
  let checksum = 0xef;
  for (const s of segments) {
    bytes.push(s.addr & 0xff, (s.addr >>> 8) & 0xff, (s.addr >>> 16) & 0xff, s.addr >>> 24);
    const n = s.data.length;
    bytes.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
    for (const b of s.data) {
      bytes.push(b);
      checksum ^= b;
    }
  }
  while (bytes.length % 16 !== 15) bytes.push(0);
  bytes.push(checksum);
  const out = Uint8Array.from(bytes);
  if ((o.hashByte ?? 1) !== 1) return out;
  const sha = createHash("sha256").update(out).digest();
  return Uint8Array.from([...out, ...sha]);
}

/** An image whose first segment is a 256-byte esp_app_desc_t (PROTOCOL.md §5.5). */
export function makeApp(o: MakeImageOptions & { project?: string; version?: string; padTo?: number } = {}): Uint8Array {
  const desc = new Uint8Array(256);
  const v = new DataView(desc.buffer);
  v.setUint32(0, 0xabcd5432, true);
  desc.set(Buffer.from(o.version ?? "1.0.0"), 16);
  desc.set(Buffer.from(o.project ?? "demo"), 48);
  desc.set(Buffer.from("v5.2.2"), 112);
  const code = Uint8Array.from({ length: (o.padTo ?? 512) }, (_, i) => (i * 31 + 3) & 0xff);
  return makeImage({ ...o, segments: [{ addr: 0x3c000020, data: desc }, { addr: 0x42000020, data: code }] });
}

/** One partition table entry. */
export interface Part { type: number; subtype: number; offset: number; size: number; label: string }

/** A partition table with entries, MD5 entry and end marker, padded with 0xFF to 0xC00. */
export function makePartitionTable(parts: Part[], o: { badMd5?: boolean } = {}): Uint8Array {
  const out = new Uint8Array(0xc00).fill(0xff);
  parts.forEach((p, i) => {
    const e = new Uint8Array(32);
    const v = new DataView(e.buffer);
    e[0] = 0xaa;
    e[1] = 0x50;
    e[2] = p.type;
    e[3] = p.subtype;
    v.setUint32(4, p.offset, true);
    v.setUint32(8, p.size, true);
    e.set(Buffer.from(p.label), 12);
    out.set(e, i * 32);
  });
  const md5At = parts.length * 32;
  out[md5At] = 0xeb;
  out[md5At + 1] = 0xeb;
  const digest = createHash("md5").update(out.subarray(0, md5At)).digest();
  if (o.badMd5) digest[0] = (digest[0] as number) ^ 0xff;
  out.set(digest, md5At + 16);
  return out;
}

/** The default IDF single-app layout: nvs, phy_init, factory (1 MiB). */
export const DEFAULT_PARTS: Part[] = [
  { type: 1, subtype: 2, offset: 0x9000, size: 0x6000, label: "nvs" },
  { type: 1, subtype: 1, offset: 0xf000, size: 0x1000, label: "phy_init" },
  { type: 0, subtype: 0, offset: 0x10000, size: 0x100000, label: "factory" },
];
