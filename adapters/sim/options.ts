/**
 * Options of a virtual chip, and the derivation of its deterministic identity (MAC, encryption key).
 */
import { createHash } from "node:crypto";
import { EspsyncError } from "../../src/errors.js";
import type { SimChipName } from "./chip-table.js";
import type { FaultRule } from "./faults.js";
import type { TimingProfile, TimingProfileName } from "./timing.js";
import type { SimPortKind } from "./usb-ports.js";

/** How to build a virtual chip. */
export interface SimOptions {
  /** Which chip to be. */
  chip: SimChipName;
  /** Flash size: 2, 4, 8 or 16 MiB. */
  flashSizeBytes: number;
  /** Factory MAC `aa:bb:cc:dd:ee:ff`; derived from `seed` when absent. */
  mac?: string;
  /** Seed for the derived MAC and encryption key (default 0). */
  seed?: number;
  /** Image file that keeps the flash contents (created erased when missing). */
  flashFile?: string;
  /** State at creation: `download` (ROM loader, default — raw TCP with `--before no_reset` works) or `app`. */
  boot?: "download" | "app";
  /**
   * How the host reaches the chip: `uart` (default: a USB-UART bridge with the auto-reset circuit),
   * `usb-jtag` (the USB-Serial/JTAG peripheral) or `usb-otg` (the ROM's USB-OTG download port, ESP32-S2,
   * S3 and P4). Each brings its reset decoding, USB identity and, for USB-OTG, 0x800-byte data blocks.
   * A kind the chip lacks is refused (`USAGE`).
   */
  portKind?: SimPortKind;
  /** Timing model (off when absent). */
  timing?: TimingProfileName | TimingProfile;
  /** Faults to inject. */
  faults?: FaultRule[];
  /** ROM in Secure Download Mode (§2.7). */
  secureDownloadMode?: boolean;
  /** Flash encryption enabled: digests are of the encrypted contents. */
  flashEncryption?: boolean;
  /** Lines the application prints after its start-up log. */
  appOutput?: string[];
  /**
   * Real-time milliseconds the chip waits before answering each flash data block (FLASH_DATA /
   * FLASH_DEFL_DATA). The timing model is virtual and never sleeps; this slows a write down in wall
   * time so that a test can interrupt it (Ctrl-C, SIGTERM) from outside the process.
   */
  dataReplyDelayMs?: number;
  /**
   * Which replies `dataReplyDelayMs` holds (default `data` alone): `data` flash data blocks, `read`
   * READ_FLASH (with its first packet) and READ_FLASH_SLOW, `erase` ERASE_REGION and ERASE_FLASH,
   * `digest` SPI_FLASH_MD5 — so that a test can interrupt a read, an erase or a comparison too.
   */
  delayOn?: readonly DelayedReplies[];
}

/** Groups of commands whose replies `delay=` can hold. */
export type DelayedReplies = "data" | "read" | "erase" | "digest";

/** The groups' opcodes (PROTOCOL.md §2). */
export const DELAYED_OPS: Readonly<Record<DelayedReplies, readonly number[]>> = {
  data: [0x03, 0x11],
  read: [0xd2, 0x0e],
  erase: [0xd1, 0xd0],
  digest: [0x13],
};

/** Parses `aa:bb:cc:dd:ee:ff` (or with `-`). */
export function parseMac(mac: string): number[] {
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new EspsyncError("USAGE", `invalid MAC address "${mac}"`, { hint: "Write the MAC as six hex pairs, e.g. 24:0a:c4:00:00:01." });
  }
  return parts.map((p) => parseInt(p, 16));
}

/** Deterministic MAC for a chip and seed: Espressif OUI 24:0A:C4 plus three derived bytes. */
export function deriveMac(chip: string, seed: number): number[] {
  const h = createHash("md5").update(`espsync-sim-mac:${chip}:${seed}`).digest();
  return [0x24, 0x0a, 0xc4, h[0] as number, h[1] as number, h[2] as number];
}

/** Per-chip key of the flash-encryption model; every byte is non-zero so no byte digests as plaintext. */
export function deriveEncryptionKey(mac: readonly number[]): Uint8Array {
  const h = createHash("sha256").update(`espsync-sim-key:${mac.join(",")}`).digest();
  return Uint8Array.from(h, (b) => b | 1);
}
