/**
 * The QEMU benchmark's scenarios, all on the real firmware beside the repository (read, never
 * copied): what the chip holds before every measured run (`start`), what is flashed (`target`), and
 * what espsync flashed last, whose digest cache the warm run gets (`warmFrom`). Generated inputs
 * (an altered image, data blobs, a pseudo-random image) are deterministic and written to a work
 * directory, because the strategies run as separate processes that take files.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { differingSectors, helloSet, imageSectors, micropython, placed, writeInto, type Placed } from "../../qemu/firmware-images.js";
import { FIRMWARE_DIR } from "../../qemu/qemu-env.js";
import { FLASH_BYTES } from "../../qemu/qemu-instance.js";
import { SECTOR_BYTES } from "../../qemu/wire-tally.js";
import { makeEspImage } from "../generate.js";
import { randomBytes } from "../prng.js";

/** Scenario ids, in report order. */
export const QEMU_SCENARIO_IDS = ["unchanged", "rebuild", "one-sector", "data-partition", "all-different", "idf-hello-unchanged"] as const;

/** One of {@link QEMU_SCENARIO_IDS}. */
export type QemuScenarioId = (typeof QEMU_SCENARIO_IDS)[number];

/** One scenario: flash `target` over a chip holding `start`. */
export interface QemuScenario {
  readonly id: QemuScenarioId;
  readonly title: string;
  /** Images placed into erased flash: the chip's whole flash before each measured run. */
  readonly start: readonly Placed[];
  /** The images every strategy flashes. */
  readonly target: readonly Placed[];
  /** What espsync last flashed onto the chip: the warm run's cache is recorded by flashing it. */
  readonly warmFrom: readonly Placed[];
  /** Why `warmFrom` is not `start`, when it is not. */
  readonly warmNote?: string;
}

/** A scenario that cannot run here, and why. */
export interface SkippedQemuScenario {
  readonly id: QemuScenarioId;
  readonly reason: string;
}

/** The vfs data partition of the MicroPython builds' partition table (0x200000, 2 MiB). */
const DATA_ADDR = 0x200000;
const BLOB_BYTES = 64 * 1024;
/** The blob sector that differs in the data-partition scenario. */
const BLOB_CHANGED_SECTOR = 5;

/** The whole 4 MiB flash holding `images` over erased (0xFF) flash. */
export function flashOf(images: readonly Placed[]): Buffer {
  const flash = Buffer.alloc(FLASH_BYTES, 0xff);
  writeInto(flash, images);
  return flash;
}

function writeGenerated(dir: string, name: string, addr: number, bytes: Uint8Array): Placed {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return placed(addr, file);
}

/**
 * MicroPython 0484727 with bytes flipped in the sector in the middle of its app. The app's appended
 * SHA-256 no longer matches, so no flasher that checks images would write this: it stands for a
 * chip whose flash changed behind the flasher's back.
 */
function oneSectorAltered(dir: string): Placed {
  const image = micropython("0484727");
  const appStart = 0x10000 - image.addr; // the merged image's app, at its partition
  const middle = appStart + Math.floor((image.bytes.length - appStart) / 2 / SECTOR_BYTES) * SECTOR_BYTES;
  const bytes = readFileSync(image.file);
  for (let i = 0x400; i < 0x410; i++) bytes[middle + i] = (bytes[middle + i] as number) ^ 0xff;
  return writeGenerated(dir, "micropython-0484727-one-sector-altered.bin", image.addr, bytes);
}

/**
 * A valid ESP image (header, one segment of pseudo-random bytes, checksum, SHA-256) taking the same
 * sectors as `like`: espsync accepts it at the bootloader offset, so it can be flashed (and its
 * digests cached), and every one of its sectors differs from `like`'s.
 */
function randomImageLike(dir: string, like: Placed): Placed {
  // Header 24 + segment header 8 + data (a multiple of 16) + checksum padding 16 + SHA-256 32: the
  // image is 80 bytes longer than its data, and at most 16 bytes shorter than `like`'s file.
  const dataBytes = Math.floor((statSync(like.file).size - 80) / 16) * 16;
  const image = makeEspImage({ entry: 0x40080644, segments: [{ addr: 0x3f400020, data: randomBytes(dataBytes, 0x5eed) }] });
  const out = writeGenerated(dir, "random-image.bin", like.addr, image);
  if (out.bytes.length !== like.bytes.length) throw new Error(`random image: ${out.bytes.length} sector-padded bytes, ${like.file} has ${like.bytes.length}`);
  return out;
}

function dataBlobs(dir: string): { before: Placed; after: Placed } {
  const before = randomBytes(BLOB_BYTES, 21);
  const after = Uint8Array.from(before);
  after.set(randomBytes(SECTOR_BYTES, 22), BLOB_CHANGED_SECTOR * SECTOR_BYTES);
  return { before: writeGenerated(dir, "data-before.bin", DATA_ADDR, before), after: writeGenerated(dir, "data-after.bin", DATA_ADDR, after) };
}

/** Throws unless `start` differs from `target` in exactly `expected` sectors (the scenario's premise). */
function expectDiffering(id: string, start: readonly Placed[], target: readonly Placed[], expected: number): void {
  const n = differingSectors(flashOf(start), target).length;
  if (n !== expected) throw new Error(`scenario ${id}: ${n} sectors differ, expected ${expected}`);
}

function missingFirmware(files: readonly string[]): string | undefined {
  const missing = files.filter((f) => !existsSync(path.join(FIRMWARE_DIR, f)));
  return missing.length ? `${missing.join(", ")} not found under ${FIRMWARE_DIR}` : undefined;
}

function build(id: QemuScenarioId, dir: string): QemuScenario {
  const mp = micropython("0484727");
  switch (id) {
    case "unchanged":
      return { id, title: "micropython 0484727 on the chip, flash 0484727 (nothing changed)", start: [mp], target: [mp], warmFrom: [mp] };
    case "rebuild": {
      const old = micropython("3d9f6a6");
      expectDiffering(id, [old], [mp], 5);
      return { id, title: "micropython 3d9f6a6 on the chip, flash 0484727 (a rebuild)", start: [old], target: [mp], warmFrom: [old] };
    }
    case "one-sector": {
      const altered = oneSectorAltered(dir);
      expectDiffering(id, [altered], [mp], 1);
      return {
        id,
        title: "0484727 with one app sector altered on the chip, flash 0484727",
        start: [altered],
        target: [mp],
        warmFrom: [mp],
        warmNote: "the altered image fails its SHA-256 check, so espsync cannot have flashed it: the warm cache is the one recorded when 0484727 was flashed (stale by one sector)",
      };
    }
    case "data-partition": {
      const blobs = dataBlobs(dir);
      expectDiffering(id, [mp, blobs.before], [mp, blobs.after], 1);
      return { id, title: "0484727 + 64 KiB data blob at 0x200000, one blob sector changed", start: [mp, blobs.before], target: [mp, blobs.after], warmFrom: [mp, blobs.before] };
    }
    case "all-different": {
      const random = randomImageLike(dir, mp);
      expectDiffering(id, [random], [mp], imageSectors([mp]).length);
      return { id, title: "a pseudo-random image of the same size on the chip, flash 0484727", start: [random], target: [mp], warmFrom: [random] };
    }
    case "idf-hello-unchanged": {
      const hello = helloSet("esp32", "v5.2");
      return { id, title: "IDF v5.2 hello_world set (3 images) on the chip, flash it again", start: hello, target: hello, warmFrom: hello };
    }
  }
}

const NEEDS: Record<QemuScenarioId, string[]> = {
  unchanged: ["micropython-esp32/build-0484727.bin"],
  rebuild: ["micropython-esp32/build-0484727.bin", "micropython-esp32/build-3d9f6a6.bin"],
  "one-sector": ["micropython-esp32/build-0484727.bin"],
  "data-partition": ["micropython-esp32/build-0484727.bin"],
  "all-different": ["micropython-esp32/build-0484727.bin"],
  "idf-hello-unchanged": ["bootloader.bin", "partition-table.bin", "hello_world.bin"].map((f) => `idf-hello-v5.2/esp32/${f}`),
};

/** The scenarios `ids` (in report order), generated files written to `dir`; those without their firmware are skipped. */
export function qemuScenarios(ids: readonly QemuScenarioId[], dir: string): { scenarios: QemuScenario[]; skipped: SkippedQemuScenario[] } {
  const scenarios: QemuScenario[] = [];
  const skipped: SkippedQemuScenario[] = [];
  for (const id of QEMU_SCENARIO_IDS.filter((x) => ids.includes(x))) {
    const why = missingFirmware(NEEDS[id]);
    if (why === undefined) scenarios.push(build(id, dir));
    else skipped.push({ id, reason: why });
  }
  return { scenarios, skipped };
}
