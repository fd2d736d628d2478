/**
 * Several requests with their replies in order, as many outstanding as the loader reads safely
 * (PROTOCOL.md §12, see `flash-md5.ts` for the evidence): the flasher stub gets one at a time;
 * the ROM, which polls its 128-byte UART FIFO between commands, gets as many as fit in it. So the
 * ROM starts on the next request without waiting a host round trip.
 *
 * Requests go out through `CommandLink.send`, which does not flush the input buffer as
 * esptool-js's `command()` does (that would discard replies already received).
 */
import type { ESPLoader } from "esptool-js";
import type { CommandLink, Reply } from "./command-link.js";
import { wireTimeMs } from "./timeouts.js";

/** Receive FIFO of the ROM's UART on every ESP32-family chip (technical reference manuals: 128 bytes). */
export const ROM_UART_FIFO_BYTES = 128;

/** One request of a pipelined exchange. */
export interface PipelinedRequest {
  readonly op: number;
  readonly data: Uint8Array;
  /** What it does, for messages: `SPI_FLASH_MD5 at 0x00010000 (4096 bytes)`. */
  readonly what: string;
  /** How long the chip may work on it once it started. */
  readonly timeoutMs: number;
  /** Payload bytes expected before the status (default 0). */
  readonly payloadBytes?: number;
}

/** Bytes a request with `data` occupies on the wire: 8-byte header, data, SLIP escapes and the two delimiters. */
export function requestWireBytes(data: Uint8Array): number {
  let escapes = 0;
  for (const b of data) if (b === 0xc0 || b === 0xdb) escapes++;
  // The header is 00, opcode, size (u16, < 0xC0 for these small requests) and a zero checksum.
  return 8 + data.length + escapes + 2;
}

/** Sends `requests` and returns their checked replies in order; see the module comment. */
export async function exchangeAll(link: CommandLink, loader: ESPLoader, requests: readonly PipelinedRequest[]): Promise<Reply[]> {
  const budgetBytes = link.state.stub ? 0 : ROM_UART_FIFO_BYTES;
  const wireBytes = requests.map((r) => requestWireBytes(r.data));
  const replies: Reply[] = [];
  let sent = 0;
  let outstandingBytes = 0;
  loader.transport.flushInput();
  const started = performance.now();
  try {
    while (replies.length < requests.length) {
      // Always one request outstanding; more only while they fit the budget.
      while (sent < requests.length && (sent === replies.length || outstandingBytes + (wireBytes[sent] as number) <= budgetBytes)) {
        const r = requests[sent] as PipelinedRequest;
        await link.send(r.op, r.data, r.what);
        outstandingBytes += wireBytes[sent] as number;
        sent++;
      }
      const r = requests[replies.length] as PipelinedRequest;
      // The chip starts this one once it has answered the ones before; the requests queued ahead of
      // it and its reply still have to cross the wire.
      const timeoutMs = r.timeoutMs + wireTimeMs(outstandingBytes + 64, link.state.baudRate);
      replies.push(await link.receive(r.op, { what: r.what, timeoutMs, payloadBytes: r.payloadBytes ?? 0 }));
      // A lone request measures the link's round trip (round-trips.ts).
      if (requests.length === 1) link.noteExchange(r.op, r.data.length, performance.now() - started);
      outstandingBytes -= wireBytes[replies.length - 1] as number;
    }
  } catch (err) {
    // Replies to requests still in flight would otherwise be read as answers to the next command.
    if (sent > replies.length) await link.drain();
    throw err;
  }
  return replies;
}
