/**
 * The one error type espsync throws. Every failure carries a stable `code` (documented, safe to match
 * on in scripts), a message that names the command and the address involved, and a `hint` that tells
 * the user what to do next. The original error, when there was one, is kept as `cause`.
 */

/** Stable error codes. Add new ones at the end of their group; never rename one. */
export const ERROR_CODES = [
  // usage and input
  "USAGE",
  "FILE_NOT_FOUND",
  "FILE_EMPTY",
  "FILE_UNREADABLE",
  "FILE_UNWRITABLE",
  "ADDRESS_INVALID",
  "ADDRESS_UNALIGNED",
  "LAYOUT_OUT_OF_RANGE",
  "LAYOUT_OVERLAP",
  "IMAGE_INVALID",
  "PARTITION_TABLE_INVALID",
  "PARTITION_TOO_SMALL",
  "FLASHER_ARGS_INVALID",
  "BUILD_DIR_INVALID",
  "CHIP_UNKNOWN",
  "BAUD_INVALID",
  "RESET_SEQUENCE_INVALID",
  // port and connection
  "PORT_NOT_FOUND",
  "PORT_BUSY",
  "PORT_PERMISSION",
  "PORT_CLOSED",
  "PORT_AMBIGUOUS",
  "CONNECT_REFUSED",
  "SYNC_FAILED",
  "NOT_AN_ESP",
  "TIMEOUT",
  "PROTOCOL_ERROR",
  "CHIP_RESET",
  // the chip said no
  "ROM_ERROR",
  "STUB_ERROR",
  "CHIP_MISMATCH",
  "CHIP_REVISION_TOO_OLD",
  "CHIP_REVISION_TOO_NEW",
  "FLASH_ENCRYPTED",
  "SECURE_DOWNLOAD_MODE",
  "UNSUPPORTED",
  // results
  "VERIFY_MISMATCH",
  "MONITOR_TIMEOUT",
  "MONITOR_PANIC",
  "INTERRUPTED",
  "INTERNAL",
] as const;

/** A stable error code; see {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options accepted by {@link EspsyncError}. */
export interface EspsyncErrorOptions {
  /** What the user can do about it, one sentence. */
  hint?: string;
  /** The lower-level error that caused this one. */
  cause?: unknown;
}

/** Base class of every error espsync reports. */
export class EspsyncError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** What the user can do about it. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: EspsyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EspsyncError";
    this.code = code;
    this.hint = options.hint;
  }
}

/** The ROM loader or the stub answered a command with a failure status. */
export class RomError extends EspsyncError {
  /** Opcode of the failing command. */
  readonly op: number;
  /** Raw status: ROM error byte, or the stub's 16-bit code. */
  readonly status: number;

  constructor(op: number, status: number, message: string, options: EspsyncErrorOptions = {}) {
    super("ROM_ERROR", message, options);
    this.name = "RomError";
    this.op = op;
    this.status = status;
  }
}

/** The chip's digest of a written range differs from the digest of the bytes we meant to write. */
export class VerifyError extends EspsyncError {
  /** Start address of the mismatching range. */
  readonly addr: number;
  /** Size of the mismatching range in bytes. */
  readonly sizeBytes: number;
  /** Expected MD5 (hex). */
  readonly expected: string;
  /** MD5 reported by the chip (hex). */
  readonly actual: string;

  constructor(addr: number, sizeBytes: number, expected: string, actual: string, options: EspsyncErrorOptions = {}) {
    super(
      "VERIFY_MISMATCH",
      `verify failed at ${hex32(addr)}..${hex32(addr + sizeBytes)}: chip has MD5 ${actual}, expected ${expected}`,
      { hint: "Run the same command again; if it keeps failing the flash chip may be worn or write-protected.", ...options },
    );
    this.name = "VerifyError";
    this.addr = addr;
    this.sizeBytes = sizeBytes;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * `Device.write` stopped at a block boundary because `shouldStop()` returned true (code
 * `INTERRUPTED`). `writtenBytes` bytes from the start of the data were acknowledged by the chip.
 */
export class WriteInterruptedError extends EspsyncError {
  /** Bytes from the start of the write that reached the chip (uncompressed). */
  readonly writtenBytes: number;

  constructor(message: string, writtenBytes: number, options: EspsyncErrorOptions = {}) {
    super("INTERRUPTED", message, options);
    this.name = "WriteInterruptedError";
    this.writtenBytes = writtenBytes;
  }
}

/** A read stopped between two of its parts because the caller asked it to (Ctrl-C). */
export class ReadInterruptedError extends EspsyncError {
  /** Bytes from the start of the read that arrived (and were not checked: the digest covers the whole range). */
  readonly readBytes: number;

  constructor(message: string, readBytes: number, options: EspsyncErrorOptions = {}) {
    super("INTERRUPTED", message, options);
    this.name = "ReadInterruptedError";
    this.readBytes = readBytes;
  }
}

/** Formats an address the way every espsync message does: `0x00010000`. */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}

/** True when `err` is an {@link EspsyncError} with the given code. */
export function isErrorCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof EspsyncError && err.code === code;
}
