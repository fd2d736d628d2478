/**
 * The chip as the flash engine sees it. The engine depends only on this interface; the one
 * implementation lives in this folder and is built on esptool-js's ESPLoader (the only place that
 * imports esptool-js). Every method has a timeout and rejects with an `EspsyncError`.
 */

/** Chip families espsync knows (esptool's names). */
export const CHIP_NAMES = ["esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c6", "esp32h2", "esp32c5", "esp32p4", "esp32c61"] as const;

/** A chip family name, as esptool spells it (`esp32c3`). */
export type ChipName = (typeof CHIP_NAMES)[number];

/** How to get the chip into download mode before talking to it (esptool's `--before`). */
export type BeforeMode = "default_reset" | "usb_reset" | "no_reset" | "no_reset_no_sync";

/**
 * What to do with the chip when done (esptool's `--after`). `watchdog_reset` resets it with its RTC
 * watchdog (no reset lines needed), falling back to `hard_reset` where esptool does.
 */
export type AfterMode = "hard_reset" | "soft_reset" | "no_reset" | "no_reset_stub" | "watchdog_reset";

/** Security state reported by GET_SECURITY_INFO (absent on chips whose ROM lacks the command). */
export interface SecurityState {
  /** Raw flag word. */
  readonly flags: number;
  /** FLASH_CRYPT_CNT eFuse; an odd number of set bits means flash encryption is on. */
  readonly flashCryptCount: number;
  /** Flash encryption enabled (derived from `flashCryptCount`). */
  readonly flashEncryption: boolean;
  /** Secure boot enabled (flag bit 0). */
  readonly secureBoot: boolean;
  /** Secure Download Mode (flag bit 2): only a few ROM commands are allowed, no stub, no digests. */
  readonly secureDownloadMode: boolean;
  /** Chip id from the reply, when present. */
  readonly chipId?: number;
}

/** Everything `espsync info` prints, read once at connect. */
export interface ChipDescription {
  /** Family, e.g. `esp32c3`. */
  readonly chip: ChipName;
  /** Marketing description, e.g. `ESP32-D0WD-V3 (revision v3.0)`. */
  readonly description: string;
  /** Revision as major·100 + minor (esptool's "full" revision). */
  readonly revisionFull: number;
  /** Feature list, e.g. `["Wi-Fi", "BT", "Dual Core"]`. */
  readonly features: readonly string[];
  /** Crystal frequency in MHz. */
  readonly crystalMhz: number;
  /** Factory MAC, `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string;
  /** JEDEC id from RDID (`mfr | type << 8 | capacity << 16`). */
  readonly flashId: number;
  /** Flash size derived from the JEDEC capacity byte, 0 when unknown. */
  readonly flashSizeBytes: number;
  /** Security state, when the chip reports it. */
  readonly security?: SecurityState;
  /** Writes, erases and reads go through the flasher stub, uploaded when first needed (false with `--no-stub` or in Secure Download Mode). */
  readonly stub: boolean;
  /**
   * The link the chip is reached over, as known when connecting: its own USB-Serial/JTAG peripheral
   * (USB 303A:1001, ~1 MB/s whatever the baud) or a UART (a USB bridge or a remote serial port),
   * with the baud rate in use after connecting. Absent when unknown (test doubles).
   */
  readonly link?: DeviceLink;
  /**
   * Set when the stub is wanted but not running yet: writes may instead go through the ROM loader
   * (plain, at `baudRate`, with the ROM's pipelined digests) without uploading `stubBytes` first —
   * cheaper for a few sectors on a link with a long round trip. Absent otherwise.
   */
  readonly romWrites?: RomWrites;
}

/** See {@link ChipDescription.romWrites}. */
export interface RomWrites {
  /** The rate the ROM talks at (the transfer rate when it was switched in the ROM). */
  readonly baudRate: number;
  /** Bytes of the flasher stub an upload sends. */
  readonly stubBytes: number;
}

/** See {@link ChipDescription.link}. */
export interface DeviceLink {
  readonly kind: "uart" | "usb-serial-jtag";
  readonly baudRate: number;
  /** Round trip of one small request and its reply, measured while connecting (median), in seconds. */
  readonly roundTripS?: number;
}

/** Progress of a long operation, in bytes. */
export type ByteProgress = (doneBytes: number, totalBytes: number) => void;

/** Counters of one write, for results and benchmarks. */
export interface WriteStats {
  /** Bytes of flash written (uncompressed). */
  readonly writtenBytes: number;
  /** Payload bytes sent (compressed size when compressed). */
  readonly sentBytes: number;
  /** Whether the data went compressed. */
  readonly compressed: boolean;
}

/** Options for {@link Device.write}. */
export interface WriteOptions {
  /** Compressed data (zlib stream) to send instead of the raw bytes; `data` is still the truth. */
  readonly compressed?: Uint8Array;
  /** Progress in uncompressed bytes. */
  readonly onProgress?: ByteProgress;
  /** Checked between blocks; when it returns true the write stops at a block boundary. */
  readonly shouldStop?: () => boolean;
  /** Write through the ROM loader without uploading the stub (see `ChipDescription.romWrites`); ignored once the stub runs. */
  readonly viaRom?: boolean;
}

/** Options for {@link Device.read}. */
export interface ReadOptions {
  /**
   * Checked between parts of the read (streams of 64 KiB blocks with the stub — more blocks where the
   * link's round trip is long — and 64-byte requests with the
   * ROM); when it returns true the read stops there with a `ReadInterruptedError`.
   */
  readonly shouldStop?: () => boolean;
}

/** A connected chip in download mode. */
export interface Device {
  /** What was learnt at connect. */
  readonly chip: ChipDescription;
  /** MD5 of `[addr, addr + sizeBytes)` computed by the chip (16 raw bytes). */
  md5(addr: number, sizeBytes: number): Promise<Uint8Array>;
  /**
   * MD5 of several ranges, results in the order of `ranges`. The stub gets one request at a time
   * (it drops requests that arrive while it is busy); the ROM gets as many as fit in its UART FIFO.
   */
  md5Many(ranges: readonly { addr: number; sizeBytes: number }[]): Promise<Uint8Array[]>;
  /** Writes `data` at `addr` (4 KiB aligned) through begin/block/end; erases what it covers. */
  write(addr: number, data: Uint8Array, options?: WriteOptions): Promise<WriteStats>;
  /** Erases `[addr, addr + sizeBytes)`, both 4 KiB aligned. */
  eraseRegion(addr: number, sizeBytes: number): Promise<void>;
  /** Erases the whole flash chip. */
  eraseAll(): Promise<void>;
  /** Reads `[addr, addr + sizeBytes)` from flash, checked against the chip's digest of the range. */
  read(addr: number, sizeBytes: number, onProgress?: ByteProgress, options?: ReadOptions): Promise<Uint8Array>;
  /**
   * Gets back a clean conversation after a failed command: re-sync with the running loader, or —
   * when the chip reset or stays silent — reset it into download mode and reconnect at the ROM
   * baud rate. Rejects with PORT_CLOSED when the link is gone. Optional: test doubles may lack it.
   */
  recover?(): Promise<void>;
  /** Leaves the chip as asked (`--after`), then releases the port. */
  finish(after: AfterMode): Promise<void>;
  /** Releases the port without touching the chip. Idempotent. */
  close(): Promise<void>;
}
