/**
 * Exit codes are part of espsync's interface: scripts and CI jobs branch on them, so they are
 * documented in the README and never change meaning.
 */
import { EspsyncError, type ErrorCode } from "../errors.js";

/** The documented exit codes. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  connection: 3,
  verifyMismatch: 4,
  refused: 5,
  interrupted: 130,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_CODE: Partial<Record<ErrorCode, ExitCode>> = {
  USAGE: EXIT.usage,
  FILE_NOT_FOUND: EXIT.usage,
  FILE_EMPTY: EXIT.usage,
  FILE_UNREADABLE: EXIT.usage,
  FILE_UNWRITABLE: EXIT.usage,
  ADDRESS_INVALID: EXIT.usage,
  ADDRESS_UNALIGNED: EXIT.usage,
  LAYOUT_OUT_OF_RANGE: EXIT.usage,
  LAYOUT_OVERLAP: EXIT.usage,
  IMAGE_INVALID: EXIT.usage,
  PARTITION_TABLE_INVALID: EXIT.usage,
  PARTITION_TOO_SMALL: EXIT.usage,
  FLASHER_ARGS_INVALID: EXIT.usage,
  BUILD_DIR_INVALID: EXIT.usage,
  CHIP_UNKNOWN: EXIT.usage,
  BAUD_INVALID: EXIT.usage,
  RESET_SEQUENCE_INVALID: EXIT.usage,
  PORT_NOT_FOUND: EXIT.connection,
  PORT_BUSY: EXIT.connection,
  PORT_PERMISSION: EXIT.connection,
  PORT_CLOSED: EXIT.connection,
  PORT_AMBIGUOUS: EXIT.connection,
  CONNECT_REFUSED: EXIT.connection,
  SYNC_FAILED: EXIT.connection,
  NOT_AN_ESP: EXIT.connection,
  TIMEOUT: EXIT.connection,
  PROTOCOL_ERROR: EXIT.connection,
  CHIP_RESET: EXIT.connection,
  ROM_ERROR: EXIT.refused,
  STUB_ERROR: EXIT.refused,
  CHIP_MISMATCH: EXIT.refused,
  CHIP_REVISION_TOO_OLD: EXIT.refused,
  CHIP_REVISION_TOO_NEW: EXIT.refused,
  FLASH_ENCRYPTED: EXIT.refused,
  SECURE_DOWNLOAD_MODE: EXIT.refused,
  UNSUPPORTED: EXIT.refused,
  VERIFY_MISMATCH: EXIT.verifyMismatch,
  // A smoke test that did not see its pattern failed a check, like a digest that did not match.
  MONITOR_TIMEOUT: EXIT.verifyMismatch,
  MONITOR_PANIC: EXIT.verifyMismatch,
  INTERRUPTED: EXIT.interrupted,
};

/** The exit code for an error: its code's documented value, else 1 (unexpected). */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof EspsyncError) return BY_CODE[error.code] ?? EXIT.unexpected;
  return EXIT.unexpected;
}
