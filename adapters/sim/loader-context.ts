/**
 * What the ROM and stub personalities need from the chip that hosts them, and the request format
 * and response formats they share (PROTOCOL.md §1.2, §1.3).
 */
import type { SimChipSpec } from "./chip-table.js";
import type { FlashModel } from "./flash-model.js";
import type { RegisterFile } from "./registers.js";

/** A decoded request packet, §1.2. */
export interface Request {
  readonly direction: number;
  readonly op: number;
  /** The header's size field (may disagree with `data.length` on a malformed packet). */
  readonly sizeField: number;
  readonly checksum: number;
  readonly data: Uint8Array;
}

/** Parses a frame as a request; undefined when it is too short to be one. */
export function parseRequest(frame: Uint8Array): Request | undefined {
  if (frame.length < 8) return undefined;
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return { direction: v.getUint8(0), op: v.getUint8(1), sizeField: v.getUint16(2, true), checksum: v.getUint32(4, true), data: frame.subarray(8) };
}

/** A response packet, §1.3: direction 1, the request's opcode, size, `value`, then payload and status bytes. */
export function encodeResponse(op: number, value: number, payload: Uint8Array, status: Uint8Array): Uint8Array {
  const packet = new Uint8Array(8 + payload.length + status.length);
  const v = new DataView(packet.buffer);
  v.setUint8(0, 1);
  v.setUint8(1, op);
  v.setUint16(2, payload.length + status.length, true);
  v.setUint32(4, value >>> 0, true);
  packet.set(payload, 8);
  packet.set(status, 8 + payload.length);
  return packet;
}

/** Little-endian u32 at word `i` of `data` (0 when missing). */
export function word(data: Uint8Array, i: number): number {
  if (data.length < i * 4 + 4) return 0;
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(i * 4, true);
}

/** Flash work a command caused, for the timing model. */
export interface FlashWork {
  sectors?: number;
  blocks?: number;
  programBytes?: number;
  md5Bytes?: number;
  readBytes?: number;
}

/** Services the chip offers its loader personalities. */
export interface LoaderContext {
  readonly spec: SimChipSpec;
  readonly flash: FlashModel;
  readonly regs: RegisterFile;
  readonly secureDownloadMode: boolean;
  /** The current request must suffer a power loss half-way through its flash write. */
  readonly powerLossPending: boolean;
  /** Sends one response packet `copies` times. */
  respond(op: number, value: number, payload: Uint8Array, status: Uint8Array, copies?: number): void;
  /** Sends a raw SLIP frame without a response header (OHAI, READ_FLASH data and digest). */
  sendFrame(payload: Uint8Array): void;
  /** Accounts modelled time spent before the reply (ROM) ... */
  work(w: FlashWork | number): void;
  /** ... or after it (the stub programs in the background). */
  background(w: FlashWork | number): void;
  /** Switches the UART to `baud` (call after the reply was sent). */
  setUartBaud(baud: number): void;
  /** MEM_END jumped into uploaded code: become the stub, which says OHAI. */
  enterStub(): void;
  /** Leave the loader and run the application from flash (no ROM banner). */
  runUserCode(): void;
  /** Power failed: the chip reboots from flash. */
  powerLoss(): void;
  /** MD5 of a flash range as the chip computes it (encrypted contents when flash encryption is on). */
  md5(addr: number, len: number): Uint8Array;
  /** GET_SECURITY_INFO payload of `bytes` length (12 or 20), §2.6. */
  securityInfo(bytes: number): Uint8Array;
}
