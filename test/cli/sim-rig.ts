/**
 * Simulator plumbing for the CLI tests: a port opener that records every virtual chip the CLI
 * opens (so a test can read its counters and flash), temporary directories with generated images,
 * and readers of a `file=`-backed simulated flash that never go through the code under test.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { openPort, type OpenPortOptions, type VirtualChip } from "../../adapters/index.js";
import type { Port } from "../../src/transport/port.js";
import { DEFAULT_PARTS, makeApp, makeImage, makePartitionTable } from "../image/make-image.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Real firmware shared beside the repository (never copied into it). */
export const FIRMWARE_DIR = path.resolve(REPO_ROOT, "../shared/firmware");
/** Whether it is present. */
export const HAS_FIRMWARE = existsSync(FIRMWARE_DIR);
/** Why firmware tests skip. */
export const NO_FIRMWARE = "real firmware (../shared/firmware beside the repository) is not present";
/** The repository root (fixtures, dist). */
export const ROOT = REPO_ROOT;

/** Records the ports (and virtual chips) the CLI opens. */
export interface PortRecorder {
  readonly openPort: (url: string, options?: OpenPortOptions) => Port;
  readonly opened: string[];
  /** Virtual chips in the order their ports were opened. */
  readonly chips: VirtualChip[];
}

/** A port opener over the real adapters that records what it opened; `chips` maps URLs to chips to attach. */
export function recordPorts(attach: Record<string, VirtualChip> = {}): PortRecorder {
  const opened: string[] = [];
  const chips: VirtualChip[] = [];
  return {
    opened,
    chips,
    openPort: (url, options) => {
      opened.push(url);
      const port = openPort(url, { ...options, ...(attach[url] && { chip: attach[url] }) });
      const chip = (port as unknown as { chip?: VirtualChip }).chip;
      if (chip) chips.push(chip);
      return port;
    },
  };
}

/** Flash-changing commands a virtual chip received (FLASH_*, ERASE_*), summed. */
export function flashChangingCommands(chip: VirtualChip): number {
  return Object.entries(chip.flash.counters.commands)
    .filter(([name]) => /^(FLASH_(BEGIN|DATA|DEFL_BEGIN|DEFL_DATA)|ERASE_)/.test(name))
    .reduce((n, [, count]) => n + count, 0);
}

/** A fresh temporary directory. */
export function tempDir(prefix = "espsync-cli-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Environment for a CLI run: its own digest cache directory. */
export function cliEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ESPSYNC_CACHE_DIR: path.join(dir, "cache"), ...extra };
}

/** Generated ESP32-C3 build: bootloader at 0x0, partition table at 0x8000, app at 0x10000, written into `dir`. */
export interface GeneratedBuild {
  readonly bootloader: string;
  readonly table: string;
  readonly app: string;
  readonly bytes: { bootloader: Uint8Array; table: Uint8Array; app: Uint8Array };
  /** `ADDR FILE` arguments. */
  readonly pairs: string[];
}

/**
 * Writes a small build with the given project name and version: ESP32-C3 (chip id 5, bootloader at
 * 0x0) unless another chip id and bootloader offset are given.
 */
export function writeBuild(dir: string, o: { project?: string; version?: string; appBytes?: number; chipId?: number; bootloaderOffset?: number } = {}): GeneratedBuild {
  const chipId = o.chipId ?? 5;
  const bytes = {
    bootloader: makeImage({ chipId }),
    table: makePartitionTable(DEFAULT_PARTS),
    app: makeApp({ chipId, project: o.project ?? "cli-test", version: o.version ?? "1.0.0", padTo: o.appBytes ?? 40_000 }),
  };
  const bootloader = path.join(dir, "bootloader.bin");
  const table = path.join(dir, "partition-table.bin");
  const app = path.join(dir, "app.bin");
  writeFileSync(bootloader, bytes.bootloader);
  writeFileSync(table, bytes.table);
  writeFileSync(app, bytes.app);
  return { bootloader, table, app, bytes, pairs: [`0x${(o.bootloaderOffset ?? 0).toString(16)}`, bootloader, "0x8000", table, "0x10000", app] };
}

/** A `sim:` URL for an ESP32-C3 with 4 MB flash kept in `file`. */
export function simUrl(file: string, seed = 3, chip = "esp32c3"): string {
  return `sim:${chip}?flash=4MB&seed=${seed}&file=${file}`;
}

/** The simulated flash as stored in its file, read directly. */
export function flashFile(file: string): Buffer {
  return readFileSync(file);
}

/** The first line of stderr and whether a `hint:` line follows it. */
export function errorLines(stderr: string): { first: string; hint: string | undefined } {
  const lines = stderr.trim().split("\n");
  const at = lines.findIndex((l) => l.startsWith("error["));
  return { first: lines[at] ?? "", hint: lines[at + 1]?.startsWith("hint: ") ? lines[at + 1] : undefined };
}
