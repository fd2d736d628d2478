/**
 * Getting a chip into a known loader: SYNC with the ROM, and the upload of the real flasher stub
 * that esptool-js 0.7.0 ships (its own image file, read here, never copied) with MEM_BEGIN /
 * MEM_DATA / MEM_END, after which the stub says OHAI (PROTOCOL.md §2.5).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dataPacket, OP, request, SYNC_DATA, words } from "./requests.js";
import type { RawLink, ReceivedFrame } from "./raw-link.js";

/** esptool-js's stub image for a chip: base64 text/data, their load addresses and the entry point. */
export interface StubImage {
  readonly text: Uint8Array;
  readonly textStart: number;
  readonly data: Uint8Array;
  readonly dataStart: number;
  readonly entry: number;
}

/** Reads `esptool-js/lib/targets/stub_flasher/<chip>.json` from node_modules. */
export function readStubImage(chip: string): StubImage {
  const require = createRequire(import.meta.url);
  const file = require.resolve(`esptool-js/lib/targets/stub_flasher/${chip}.json`);
  const j = JSON.parse(readFileSync(file, "utf8")) as { text: string; text_start: number; data: string; data_start: number; entry: number };
  return { text: Buffer.from(j.text, "base64"), textStart: j.text_start, data: Buffer.from(j.data, "base64"), dataStart: j.data_start, entry: j.entry };
}

/** MEM_DATA blocks as esptool uploads them (§2.5). */
export const MEM_BLOCK_BYTES = 0x1800;

/** SYNC until the ROM answers (it may still be printing its banner); then drops the extra replies. */
export async function syncRom(link: RawLink, who = "the chip"): Promise<void> {
  for (let attempt = 0; attempt < 25; attempt++) {
    link.drain();
    link.send(request(OP.SYNC, SYNC_DATA));
    const first = await link.next(250);
    if (first) {
      await link.collect({ quietMs: 100, maxMs: 1000 }); // the other 7 copies
      link.drain();
      return;
    }
  }
  throw new Error(`${who}: the ROM never answered SYNC`);
}

function ok(reply: ReceivedFrame | undefined, what: string): ReceivedFrame {
  if (!reply || reply.bytes[0] !== 1 || reply.bytes[8] !== 0) {
    throw new Error(`${what} failed: ${reply ? Buffer.from(reply.bytes).toString("hex") : "no reply"}`);
  }
  return reply;
}

/**
 * Uploads and starts the stub; returns the MEM_END reply and the frame that follows it (OHAI).
 * Throws when the ROM refuses a step, so the caller can reset and try again.
 */
export async function uploadStub(link: RawLink, image: StubImage): Promise<{ memEnd: ReceivedFrame; hello: ReceivedFrame | undefined }> {
  for (const [bytes, addr] of [[image.text, image.textStart], [image.data, image.dataStart]] as const) {
    const blocks = Math.ceil(bytes.length / MEM_BLOCK_BYTES);
    link.send(request(OP.MEM_BEGIN, words(bytes.length, blocks, MEM_BLOCK_BYTES, addr)));
    ok(await link.next(3000), "MEM_BEGIN");
    for (let seq = 0; seq < blocks; seq++) {
      link.send(dataPacket(OP.MEM_DATA, seq, bytes.subarray(seq * MEM_BLOCK_BYTES, (seq + 1) * MEM_BLOCK_BYTES)));
      ok(await link.next(5000), "MEM_DATA");
    }
  }
  link.send(request(OP.MEM_END, words(0, image.entry)));
  const memEnd = ok(await link.next(3000), "MEM_END");
  return { memEnd, hello: await link.next(3000) };
}
