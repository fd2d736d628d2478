/**
 * The documented `--json` document shapes. Every command prints exactly one document on stdout;
 * these types are the contract (the README shows them), and the values are built only from here so
 * the shapes cannot drift between commands.
 */
import type { ChipDescription, SecurityState } from "../protocol/device.js";
import { formatHex, formatRevision } from "./render/format.js";

/** An error in a document. */
export interface ErrorJson {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** The connected chip (`info`, and `chip` of every board). */
export interface ChipJson {
  readonly chip: string;
  readonly description: string;
  /** `v0.4` */
  readonly revision: string;
  /** major·100 + minor */
  readonly revisionFull: number;
  readonly features: readonly string[];
  readonly crystalMhz: number;
  readonly mac: string;
  /** JEDEC id as hex, `0x164020`. */
  readonly flashId: string;
  readonly flashManufacturerId: number;
  readonly flashSizeBytes: number;
  readonly stub: boolean;
  /** Absent state (ESP32 ROM has no GET_SECURITY_INFO) is `null`. */
  readonly security: SecurityState | null;
}

/** One board of a command that talks to boards. */
export interface BoardJson<R> {
  /** The port URL or path as opened. */
  readonly port: string;
  /** `null` when the connection failed. */
  readonly chip: ChipJson | null;
  /** `null` when the command failed before producing a result. */
  readonly result: R | null;
  readonly error?: ErrorJson;
}

/** The document of a command that talks to boards (`flash`, `verify`, `read`, `erase`, …). */
export interface BoardsDocument<R> {
  /** Every board succeeded. */
  readonly ok: boolean;
  readonly command: string;
  readonly boards: readonly BoardJson<R>[];
}

/** The document when the command failed before reaching any board (bad usage or input). */
export interface FailureDocument {
  readonly ok: false;
  readonly error: ErrorJson;
}

/** The chip description in its JSON form. */
export function chipToJson(chip: ChipDescription): ChipJson {
  return {
    chip: chip.chip,
    description: chip.description,
    revision: formatRevision(chip.revisionFull),
    revisionFull: chip.revisionFull,
    features: chip.features,
    crystalMhz: chip.crystalMhz,
    mac: chip.mac,
    flashId: formatHex(chip.flashId, 6),
    flashManufacturerId: chip.flashId & 0xff,
    flashSizeBytes: chip.flashSizeBytes,
    stub: chip.stub,
    security: chip.security ?? null,
  };
}
