/**
 * A scratch workspace for the bad-input corpus: the demo ESP32-C3 build (bootloader, partition table,
 * app, flasher_args.json) copied from fixtures/demo, plus broken variants written byte by byte here.
 * Image header offsets per PROTOCOL.md §5.4; the SHA-256 is recomputed where a test changes only a
 * header field, so the field — not the digest — is what is wrong.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PARTS, makePartitionTable } from "../image/make-image.js";

const DEMO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/demo");

/** Image header offsets (§5.4). */
const HEADER = { segmentCount: 1, chipId: 12, minRevFull: 15, hashAppended: 23 } as const;

/** Recomputes the appended SHA-256 of an image (last 32 bytes). */
function resha(image: Uint8Array): Uint8Array {
  const out = image.slice();
  out.set(createHash("sha256").update(out.subarray(0, out.length - 32)).digest(), out.length - 32);
  return out;
}

function withByte(image: Uint8Array, at: number, value: number): Uint8Array {
  const out = image.slice();
  out[at] = value;
  return out;
}

/** Creates the workspace; returns its directory. The app is `app.bin`, the build is `build/`. */
export function makeCorpusWorkspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "espsync-corpus-"));
  cpSync(DEMO, path.join(dir, "build"), { recursive: true });
  const app = new Uint8Array(readFileSync(path.join(DEMO, "espsync-demo.bin")));
  if (app[HEADER.hashAppended] !== 1) throw new Error("the demo app is expected to carry a SHA-256");
  const write = (name: string, bytes: Uint8Array | string): void => writeFileSync(path.join(dir, name), bytes);
  write("app.bin", app);
  write("empty.bin", new Uint8Array(0));
  // 3 KB of noise, what a wrong file at the partition table's offset looks like.
  write("noise.bin", Uint8Array.from({ length: 3072 }, (_, i) => (i * 151 + 7) % 251));
  mkdirSync(path.join(dir, "a-directory.bin"));
  write("truncated.bin", app.subarray(0, Math.floor(app.length / 2)));
  write("bad-magic.bin", withByte(app, 0, 0x00));
  // The checksum byte sits right before the SHA-256 (the segment data's XOR, §5.4).
  write("bad-checksum.bin", resha(withByte(app, app.length - 33, (app[app.length - 33] as number) ^ 0x5a)));
  write("bad-sha.bin", withByte(app, app.length - 1, (app[app.length - 1] as number) ^ 0xff));
  write("bad-segments.bin", resha(withByte(app, HEADER.segmentCount, 17)));
  write("other-chip.bin", resha(withByte(app, HEADER.chipId, 9))); // 9 = ESP32-S3
  write("newer-rev.bin", resha(withByte(app, HEADER.minRevFull, 99))); // needs v0.99; the chip is v0.3
  // A partition table whose factory app partition (64 KiB) is smaller than the app.
  const small = DEFAULT_PARTS.map((p) => (p.label === "factory" ? { ...p, size: 0x10000 } : p));
  write("small-parts.bin", makePartitionTable(small));
  write("bad-parts.bin", makePartitionTable(DEFAULT_PARTS, { badMd5: true }));
  const args = JSON.parse(readFileSync(path.join(DEMO, "flasher_args.json"), "utf8")) as { flash_files: Record<string, string> };
  const variant = (name: string, files: Record<string, string>): void => {
    mkdirSync(path.join(dir, name));
    for (const f of ["bootloader.bin", "partition-table.bin", "espsync-demo.bin"]) cpSync(path.join(DEMO, f), path.join(dir, name, f));
    write(`${name}/flasher_args.json`, JSON.stringify({ ...args, flash_files: files }, null, 2));
  };
  variant("missing-file", { ...args.flash_files, "0x10000": "not-built.bin" });
  variant("escaping", { ...args.flash_files, "0x10000": "../app.bin" });
  mkdirSync(path.join(dir, "bad-json"));
  write("bad-json/flasher_args.json", '{ "flash_files": { "0x0": "bootloader.bin", }');
  mkdirSync(path.join(dir, "empty-build"));
  return dir;
}
