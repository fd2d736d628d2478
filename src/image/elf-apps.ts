/**
 * ELF files among the images to flash: each is converted to an application image for the chip and
 * written at its address — the one given with it, else the app partition of the partition table
 * being written, else that of the table already on the chip, else the default layout's factory app
 * at 0x10000. What can be settled before connecting is settled then (and bad input refused); what
 * needs the chip — which chip, its partition table, its detected flash size — waits for it, as
 * {@link PendingElfApps} on the set. Pure: reading the chip's table is the caller's job.
 */
import { EspsyncError, hex32 } from "../errors.js";
import { defaultAppPartition } from "./app-partition.js";
import { DEFAULT_APP_OFFSET, type ImageChip } from "./chip-table.js";
import { checkElfForChip, guessElfChip, type ElfChipGuess } from "./elf-chip.js";
import type { ElfFile } from "./elf-file.js";
import { elfToImage } from "./elf-to-image.js";
import { buildImageSet, type ImageSet, type LoadedFile } from "./image-set.js";
import type { PartitionTable } from "./partition-table.js";
import { validateImageSet } from "./validate.js";

/** An ELF file given to flash or verify. */
export interface ElfApp {
  /** Path as given (for messages). */
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly elf: ElfFile;
  /** What the ELF says about its chip. */
  readonly guess: ElfChipGuess;
  /** Flash address given with it; absent: the app partition. */
  readonly addr?: number;
}

/** ELF apps still to be converted and placed once the chip is connected. */
export interface PendingElfApps {
  readonly apps: readonly ElfApp[];
  /** The chip, when known before connecting, and where that came from. */
  readonly chip?: { readonly chip: ImageChip; readonly source: string };
  /** An app has no address and no partition table is being written: read the chip's. */
  readonly needsChipTable: boolean;
}

/** An image set that may still wait for the chip to place its ELF apps. */
export type ImageSetWithElf = ImageSet & { readonly elfApps?: PendingElfApps };

/** What is known about the connected chip when placing the apps. */
export interface ConnectedElfTarget {
  readonly chip: ImageChip;
  /** The partition table read from the chip (valid), when there was one. */
  readonly chipTable?: PartitionTable;
  readonly detectedFlashSizeBytes?: number;
}

function decideChip(set: ImageSet, apps: readonly ElfApp[]): PendingElfApps["chip"] {
  if (set.chip !== undefined) return { chip: set.chip, source: set.chipSource ?? "the images" };
  let found: { chip: ImageChip; source: string } | undefined;
  for (const app of apps) {
    if (app.guess.chip === undefined) continue;
    const source = `${app.path} (${app.guess.how})`;
    if (found !== undefined && found.chip !== app.guess.chip) {
      throw new EspsyncError("CHIP_MISMATCH", `${app.path} is for ${app.guess.chip} (${app.guess.how}) but ${found.source} is for ${found.chip}`, {
        hint: "All images must be built for the same chip.",
      });
    }
    found ??= { chip: app.guess.chip, source };
  }
  return found;
}

/** Where an app goes: its own address, else the table's app partition, else the default layout's. */
function appAddress(app: ElfApp, table: { table: PartitionTable; where: string } | undefined): number {
  if (app.addr !== undefined) return app.addr;
  if (table === undefined) return DEFAULT_APP_OFFSET;
  const part = defaultAppPartition(table.table);
  if (part === undefined) {
    throw new EspsyncError("PARTITION_TABLE_INVALID", `the partition table ${table.where} has no app partition for ${app.path}`, {
      hint: "Add an app partition (factory or ota_0) to the table, or give the ELF an address: espsync flash 0x10000 app.elf.",
    });
  }
  return part.offset;
}

/** The apps converted for `chip` and placed (see {@link appAddress}), as files to add to the set. */
function converted(set: ImageSet, apps: readonly ElfApp[], chip: { chip: ImageChip; source: string }, target: Omit<ConnectedElfTarget, "chip">): LoadedFile[] {
  const own = set.partitionTable === undefined ? undefined : { table: set.partitionTable.table, where: `in ${set.partitionTable.sourcePath}` };
  const table = own ?? (target.chipTable === undefined ? undefined : { table: target.chipTable, where: "on the chip" });
  return apps.map((app): LoadedFile => {
    const addr = appAddress(app, table);
    const image = elfToImage(app.bytes, app.path, {
      chip: chip.chip,
      chipSource: chip.source,
      ...set.flashSettings,
      ...(target.detectedFlashSizeBytes !== undefined && { detectedFlashSizeBytes: target.detectedFlashSizeBytes }),
    }).bytes;
    // The set checks its own table's partitions; a table read from the chip is checked here.
    const part = own === undefined ? target.chipTable?.entries.find((p) => p.offset === addr) : undefined;
    if (part !== undefined && image.length > part.sizeBytes) {
      throw new EspsyncError("PARTITION_TOO_SMALL", `${app.path} makes a ${image.length}-byte image, but partition "${part.label}" at ${hex32(addr)} on the chip holds ${part.sizeBytes}`, {
        hint: "Write a partition table with a bigger app partition (--partition-table), or make the app smaller.",
      });
    }
    return { addr, path: app.path, bytes: image, role: "app" };
  });
}

function complete(set: ImageSet, apps: readonly ElfApp[], chip: { chip: ImageChip; source: string }, target: Omit<ConnectedElfTarget, "chip">): ImageSet {
  const full = buildImageSet([...set.files, ...converted(set, apps, chip, target)], {
    chip: chip.chip,
    chipSource: chip.source,
    flashSettings: set.flashSettings,
    ...(set.flashSizeBytes !== undefined && { flashSizeBytes: set.flashSizeBytes }),
  });
  validateImageSet(full);
  return full;
}

/**
 * Adds the ELF apps to a validated set. Settles before connecting what can be: each ELF must suit
 * the chip (when known) or some chip; with the chip, the app's address and the flash size known, the
 * apps are converted and the complete set is returned. Otherwise the set comes back with
 * `elfApps` for {@link completeElfApps}. Throws `CHIP_MISMATCH`, `IMAGE_INVALID`, `USAGE`, …
 */
export function attachElfApps(set: ImageSet, apps: readonly ElfApp[]): ImageSetWithElf {
  if (apps.length === 0) return set;
  const unplaced = apps.filter((a) => a.addr === undefined);
  if (unplaced.length > 1) {
    throw new EspsyncError("USAGE", `${unplaced.map((a) => a.path).join(" and ")} are all given without an address; only one app goes to the app partition`, {
      hint: "Give the others their flash addresses, e.g. espsync flash app.elf 0x110000 other.elf.",
    });
  }
  const chip = decideChip(set, apps);
  if (chip !== undefined) for (const app of apps) checkElfForChip(app.elf, chip.chip, app.path, chip.source);
  const needsChipTable = unplaced.length > 0 && set.partitionTable === undefined;
  const waitsForChip = chip === undefined || needsChipTable || set.flashSettings.flashSize === "detect";
  if (chip !== undefined && !waitsForChip) return complete(set, apps, chip, {});
  // Convert now anyway where the chip is known, so that an unusable ELF is refused before connecting.
  if (chip !== undefined) converted(set, apps, chip, {});
  return { ...set, elfApps: { apps, ...(chip !== undefined && { chip }), needsChipTable } };
}

/**
 * The complete set for the connected chip: the pending apps converted for it (CHIP_MISMATCH when
 * they are for another chip) and placed by the table being written, else `target.chipTable`, else
 * the default layout. A set without pending apps is returned as it is.
 */
export function completeElfApps(set: ImageSetWithElf, target: ConnectedElfTarget): ImageSet {
  const pending = set.elfApps;
  if (pending === undefined) return set;
  return complete(set, pending.apps, elfTargetChip(pending, target.chip), target);
}

/**
 * The chip pending apps are converted for once `connected` is known: theirs, which must be the
 * connected one (`CHIP_MISMATCH` otherwise), else the connected chip, which the ELFs must suit.
 */
export function elfTargetChip(pending: PendingElfApps, connected: ImageChip): { chip: ImageChip; source: string } {
  const chip = pending.chip ?? { chip: connected, source: "the connected chip" };
  if (chip.chip !== connected) {
    throw new EspsyncError("CHIP_MISMATCH", `the images are for ${chip.chip} (from ${chip.source}) but the connected chip is ${connected}`, {
      hint: `Connect an ${chip.chip}, or build the app for ${connected}.`,
    });
  }
  for (const app of pending.apps) checkElfForChip(app.elf, chip.chip, app.path, chip.source);
  return chip;
}

/** Reads what an ELF says about its chip; shorthand for callers building {@link ElfApp}s. */
export function elfApp(path: string, bytes: Uint8Array, elf: ElfFile, addr?: number): ElfApp {
  return { path, bytes, elf, guess: guessElfChip(elf, path), ...(addr !== undefined && { addr }) };
}
