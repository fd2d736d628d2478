/**
 * The counting proxy itself, against a plain TCP peer (no QEMU needed): it forwards bytes unchanged
 * both ways and decodes host→chip requests built here by hand from PROTOCOL.md §1.1–§2 — including
 * escaped bytes and frames split across TCP chunks — into the counts the QEMU suite relies on.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startWireCounter, type WireCounter } from "./wire-counter.js";
import { sectorsCovered, sectorWrites, WireTally } from "./wire-tally.js";
import { SlipReader } from "./slip-reader.js";

/** A request frame: 00, op, u16 size, u32 checksum, data — SLIP-escaped between C0 delimiters. */
function request(op: number, words: readonly number[], extra: Uint8Array = new Uint8Array()): Buffer {
  const data = Buffer.concat([Buffer.from(Uint32Array.from(words).buffer), extra]);
  const packet = Buffer.alloc(8 + data.length);
  packet[1] = op;
  packet.writeUInt16LE(data.length, 2);
  data.copy(packet, 8);
  const escaped: number[] = [0xc0];
  for (const b of packet) {
    if (b === 0xc0) escaped.push(0xdb, 0xdc);
    else if (b === 0xdb) escaped.push(0xdb, 0xdd);
    else escaped.push(b);
  }
  escaped.push(0xc0);
  return Buffer.from(escaped);
}

describe("SLIP reader", () => {
  it("unescapes C0/DB, skips empty frames and completes frames split over chunks", () => {
    const frames: number[][] = [];
    const reader = new SlipReader((f) => frames.push([...f]));
    const wire = [0xc0, 0xc0, 0x01, 0xdb, 0xdc, 0x02, 0xdb, 0xdd, 0xc0, 0xc0, 0x05, 0xc0];
    for (const b of wire) reader.push(Uint8Array.of(b));
    expect(frames).toEqual([[0x01, 0xc0, 0x02, 0xdb], [0x05]]);
  });
});

describe("wire tally", () => {
  it("records begin ranges (stub exact size, ROM erase size), erase requests, and what is not a request", () => {
    const tally = new WireTally();
    const reader = new SlipReader((f) => tally.addFrame(f));
    // Stub deflate begin: 0x2001 bytes at 0x3000 end at 0x5001: sectors 0x3000, 0x4000, 0x5000.
    reader.push(request(0x10, [0x2001, 1, 0x4000, 0x3000, 0]));
    // ROM plain begin with its 16-byte payload (ESP32): one sector at 0x8000.
    reader.push(request(0x02, [0x1000, 4, 0x400, 0x8000]));
    // After-session trick: FLASH_BEGIN(0, 0) covers nothing.
    reader.push(request(0x02, [0, 0, 0x400, 0, 0]));
    reader.push(request(0xd1, [0x10000, 0x2000]));
    reader.push(request(0xd0, []));
    reader.push(request(0x11, [4, 0, 0, 0], Uint8Array.of(0xc0, 0xdb, 0xc0, 0xdb))); // escaped payload
    reader.push(Buffer.from([0xc0, 0x00, 0x10, 0x00, 0x00, 0xc0])); // READ_FLASH acknowledgement
    const c = tally.snapshot();
    expect(c.ops).toEqual({ FLASH_DEFL_BEGIN: 1, FLASH_BEGIN: 2, ERASE_REGION: 1, ERASE_FLASH: 1, FLASH_DEFL_DATA: 1 });
    expect(sectorsCovered(c.begins)).toEqual([0x3000, 0x4000, 0x5000, 0x8000]);
    expect(sectorWrites(c)).toBe(4);
    expect(sectorsCovered(c.eraseRegions)).toEqual([0x10000, 0x11000]);
    expect(c.eraseFlash).toBe(1);
    expect(c.otherFrames).toBe(1);
  });

  it("counts a sector begun twice twice in sectorWrites, once in sectorsCovered", () => {
    const tally = new WireTally();
    const reader = new SlipReader((f) => tally.addFrame(f));
    reader.push(request(0x10, [0x1000, 1, 0x4000, 0x20000, 0]));
    reader.push(request(0x10, [0x1000, 1, 0x4000, 0x20000, 0]));
    expect(sectorsCovered(tally.snapshot().begins)).toEqual([0x20000]);
    expect(sectorWrites(tally.snapshot())).toBe(2);
  });
});

describe("counting proxy", () => {
  let peer: Server | undefined;
  let counter: WireCounter | undefined;
  afterEach(async () => {
    await counter?.close();
    await new Promise<void>((r) => (peer ? peer.close(() => r()) : r()));
  });

  it("forwards both ways unchanged and counts frames and bytes per direction", async () => {
    const received: Buffer[] = [];
    const reply = Buffer.from([0xc0, 0x01, 0x08, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0xc0]);
    peer = createServer((s: Socket) => {
      s.on("data", (d: Buffer) => {
        received.push(d);
        s.write(reply);
      });
    });
    await new Promise<void>((r) => peer!.listen(0, "127.0.0.1", () => r()));
    const address = peer.address();
    counter = await startWireCounter(typeof address === "object" && address !== null ? address.port : 0);

    const sent = Buffer.concat([request(0x10, [0x2000, 1, 0x4000, 0x1000, 0]), request(0x13, [0x1000, 0x2000, 0, 0])]);
    const client = connect({ host: "127.0.0.1", port: counter.port });
    const echoed: Buffer[] = [];
    client.on("data", (d: Buffer) => echoed.push(d));
    // Split mid-frame: the decoder must join the halves.
    client.write(sent.subarray(0, 7));
    await new Promise((r) => setTimeout(r, 20));
    client.write(sent.subarray(7));
    const counts = await counter.until((c) => (c.ops.SPI_FLASH_MD5 ?? 0) === 1, 2_000);
    await new Promise((r) => setTimeout(r, 50));
    client.destroy();

    expect(Buffer.concat(received)).toEqual(sent);
    expect(Buffer.concat(echoed).length % reply.length).toBe(0);
    expect(counts.ops).toEqual({ FLASH_DEFL_BEGIN: 1, SPI_FLASH_MD5: 1 });
    expect(sectorsCovered(counts.begins)).toEqual([0x1000, 0x2000]);
    const taken = counter.take();
    expect(taken.hostToChipBytes).toBe(sent.length);
    expect(taken.chipToHostBytes).toBe(Buffer.concat(echoed).length);
    expect(taken.connections).toBe(1);
    expect(counter.peek().hostToChipBytes).toBe(0); // take() starts afresh
  });
});
