/**
 * What flashing costs, in seconds, so the planner can choose between probing further, writing
 * selected sectors and rewriting a whole region. The numbers are estimates: they only have to rank
 * the alternatives correctly. Defaults: stub at 460800 baud over a USB-UART bridge; flash timings are
 * the typical figures of a common NOR part, the Winbond W25Q128JV datasheet (4 KiB sector erase tSE
 * 45 ms, 64 KiB block erase tBE2 150 ms, page program tPP 0.7 ms; its maxima — 400 ms, 2 s, 3 ms —
 * bound timeouts, PROTOCOL.md §10, not plans); an on-chip MD5 of about 0.4 s/MB (ARCHITECTURE.md
 * "Delta planning"). Parts differ (others take 250 ms per block erase, as the simulator models): a
 * wrong guess only matters where widening a run to a block erase is marginal either way.
 */
import { BLOCK_SIZE_BYTES, PAGE_SIZE_BYTES, SECTOR_SIZE_BYTES } from "../util/sectors.js";

/** Parameters of the cost model. */
export interface CostModel {
  /** Payload bytes per second over the link (baud / 10 for 8N1). */
  readonly linkBytesPerS: number;
  /** Fixed cost of one write or erase run: begin/end commands, stream setup, their round trips. */
  readonly runOverheadS: number;
  /**
   * Fixed cost of one digest request besides hashing: the flasher stub takes one request at a time
   * (PROTOCOL.md §12), so each pays a whole round trip — request and reply on the wire plus the
   * link's latency both ways.
   */
  readonly digestLatencyS: number;
  /** Erase of one 4 KiB sector. */
  readonly sectorEraseS: number;
  /** Erase of one aligned 64 KiB block. */
  readonly blockEraseS: number;
  /** Programming one 256-byte page. */
  readonly pageProgramS: number;
  /** Rate the chip reads flash while computing an MD5. */
  readonly md5BytesPerS: number;
  /**
   * Share of sectors expected to be unchanged inside a 64 KiB block known to differ. Measured real
   * code changes leave few (ARCHITECTURE.md); probing a block's sectors pays only when the expected
   * saving exceeds the cost of reading it again.
   */
  readonly sameFractionPrior: number;
  /** Estimate compressed sizes (deflate) of what is written; false = raw bytes cross the link. */
  readonly compress: boolean;
}

/** Defaults, see the file comment. */
export const DEFAULT_COST_MODEL: CostModel = {
  linkBytesPerS: 46_080,
  runOverheadS: 0.02,
  digestLatencyS: 0.0032, // a round trip at 460800 baud, as costModelForBaud computes it
  sectorEraseS: 0.045,
  blockEraseS: 0.15,
  pageProgramS: 0.0007,
  md5BytesPerS: 2_500_000,
  sameFractionPrior: 0.1,
  compress: true,
};

/** Wire bytes of one digest exchange with the stub: a 26-byte request and a 28-byte reply (SLIP-framed). */
const DIGEST_EXCHANGE_BYTES = 54;
/** A USB-UART bridge's latency, both ways together (about one 1 ms USB frame each way). */
const BRIDGE_ROUND_TRIP_S = 0.002;

/** The default model for a link at `baud` (8N1), with overrides. */
export function costModelForBaud(baud: number, overrides: Partial<CostModel> = {}): CostModel {
  const linkBytesPerS = baud / 10;
  return { ...DEFAULT_COST_MODEL, linkBytesPerS, digestLatencyS: DIGEST_EXCHANGE_BYTES / linkBytesPerS + BRIDGE_ROUND_TRIP_S, ...overrides };
}

/**
 * Digest requests the ROM takes per round trip: it reads requests queued in its 128-byte UART FIFO
 * one after another, and four 26-byte SPI_FLASH_MD5 requests fit (PROTOCOL.md §12). The stub takes one.
 */
export const ROM_DIGESTS_PER_ROUND_TRIP = 4;

/** How a loader's exchanges wait for the link (see {@link withRoundTrip}). */
export interface LoaderExchanges {
  /** Digest requests answered per round trip. */
  readonly digestsPerRoundTrip: number;
  /** Bytes sent per acknowledged write block (each waits for its acknowledgement). */
  readonly writeBlockBytes: number;
  /** Lone exchanges per write run besides the blocks (begin, end). */
  readonly exchangesPerRun: number;
}

/** The flasher stub: one digest at a time; 16 KiB blocks; FLASH_DEFL_BEGIN and END per run. */
export const STUB_EXCHANGES: LoaderExchanges = { digestsPerRoundTrip: 1, writeBlockBytes: 0x4000, exchangesPerRun: 2 };
/** The ROM loader: pipelined digests; 4 KiB plain blocks; FLASH_BEGIN per run. */
export const ROM_EXCHANGES: LoaderExchanges = { digestsPerRoundTrip: ROM_DIGESTS_PER_ROUND_TRIP, writeBlockBytes: 0x1000, exchangesPerRun: 1 };

/**
 * `cost` on a link whose round trip was measured (`roundTripS`): each digest pays its share of a
 * round trip, each run its lone exchanges, and each write block waits for its acknowledgement
 * (folded into the write rate). On a USB-UART bridge the round trip is a few milliseconds; over a
 * network or an emulator's TCP port it can be tens (QEMU: about 44 ms), and then these dominate.
 */
export function withRoundTrip(cost: CostModel, roundTripS: number, loader: LoaderExchanges): CostModel {
  const secondsPerByte = 1 / cost.linkBytesPerS;
  return {
    ...cost,
    digestLatencyS: DIGEST_EXCHANGE_BYTES * secondsPerByte + roundTripS / loader.digestsPerRoundTrip,
    runOverheadS: Math.max(cost.runOverheadS, loader.exchangesPerRun * roundTripS),
    linkBytesPerS: loader.writeBlockBytes / (loader.writeBlockBytes * secondsPerByte + roundTripS),
  };
}

/** MEM_* exchanges of a stub upload besides its data blocks: two MEM_BEGINs, MEM_END, its greeting, a rate change. */
const STUB_UPLOAD_EXCHANGES = 5;
/** MEM_DATA block size (PROTOCOL.md §5.3). */
const MEM_BLOCK_BYTES = 0x1800;

/** Time to upload a flasher stub of `stubBytes` over a link at `linkBytesPerS` with `roundTripS`. */
export function stubUploadTimeS(stubBytes: number, linkBytesPerS: number, roundTripS: number): number {
  return stubBytes / linkBytesPerS + (Math.ceil(stubBytes / MEM_BLOCK_BYTES) + STUB_UPLOAD_EXCHANGES) * roundTripS;
}

/**
 * Payload rate of the chip's own USB-Serial/JTAG peripheral: full-speed USB bulk transfers, about
 * 1 MB/s whatever baud rate the host sets (ARCHITECTURE.md; the simulator's profile models the same).
 */
export const USB_SERIAL_JTAG_BYTES_PER_S = 1_000_000;

/** The link a chip is reached over (a Device reports it; see `ChipDescription.link`). */
export interface LinkDescription {
  readonly kind: "uart" | "usb-serial-jtag";
  readonly baudRate: number;
  /** Measured round trip of one small exchange, in seconds. */
  readonly roundTripS?: number;
}

/**
 * The round trip to plan with on `link`: the one measured on this connection, but never less than a
 * USB bridge's two 1 ms frames (an in-process test double answers in microseconds of wall time,
 * which no board behind USB does). Undefined when nothing was measured.
 */
export function planningRoundTripS(link: LinkDescription | undefined): number | undefined {
  return link?.roundTripS === undefined ? undefined : Math.max(link.roundTripS, BRIDGE_ROUND_TRIP_S);
}

/** The default model for `link`: USB-Serial/JTAG at USB speed, a UART at its baud (8N1). */
export function costModelForLink(link: LinkDescription, overrides: Partial<CostModel> = {}): CostModel {
  if (link.kind === "usb-serial-jtag") return { ...DEFAULT_COST_MODEL, linkBytesPerS: USB_SERIAL_JTAG_BYTES_PER_S, ...overrides };
  return costModelForBaud(link.baudRate, overrides);
}

/**
 * Time to erase `[addr, addr + sizeBytes)` the way the flasher stub does it: a 64 KiB block erase
 * wherever an aligned block fits in what is left, 4 KiB sector erases elsewhere.
 */
export function eraseTimeS(cost: CostModel, addr: number, sizeBytes: number): number {
  let t = 0;
  const end = addr + sizeBytes;
  for (let p = addr; p < end; ) {
    if (p % BLOCK_SIZE_BYTES === 0 && end - p >= BLOCK_SIZE_BYTES) {
      t += cost.blockEraseS;
      p += BLOCK_SIZE_BYTES;
    } else {
      t += cost.sectorEraseS;
      p += SECTOR_SIZE_BYTES;
    }
  }
  return t;
}

/** Time to program `sizeBytes` of flash. */
export function programTimeS(cost: CostModel, sizeBytes: number): number {
  return (sizeBytes / PAGE_SIZE_BYTES) * cost.pageProgramS;
}

/** Time to send `bytes` over the link. */
export function linkTimeS(cost: CostModel, bytes: number): number {
  return bytes / cost.linkBytesPerS;
}

/** Time for the chip to digest `sizeBytes` in `queries` requests. */
export function digestTimeS(cost: CostModel, sizeBytes: number, queries: number): number {
  return sizeBytes / cost.md5BytesPerS + queries * cost.digestLatencyS;
}
