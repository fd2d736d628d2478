/**
 * What the virtual chip does with requests that arrive while it is busy, as the real loaders do
 * (PROTOCOL.md §12, observed on the real ROM and stub under QEMU): the stub drops a request sent
 * before the host had its last reply; the ROM reads requests waiting in its 128-byte UART FIFO in
 * order and loses what overflows it.
 */
import { describe, expect, it } from "vitest";
import { createVirtualChip, type VirtualChip } from "../../../adapters/sim/index.js";
import { ROM_UART_FIFO_BYTES } from "../../../adapters/sim/virtual-chip.js";
import { collect, frame, hex, md5Hex, request, roundTrip, tick, u32, xorChecksum } from "./helpers.js";

const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const readReg = (addr: number) => frame(request(0x0a, u32(addr)));
const md5Req = (addr: number, size: number) => frame(request(0x13, [...u32(addr), ...u32(size), ...u32(0), ...u32(0)]));

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await tick();
}

async function stubChip(): Promise<{ c: VirtualChip; out: ReturnType<typeof collect> }> {
  const c = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000, mac: "24:0a:c4:12:34:56" });
  const out = collect(c);
  const code = Uint8Array.from([1, 2, 3, 4]);
  await roundTrip(c, out, 0x05, [...u32(4), ...u32(1), ...u32(0x1800), ...u32(0x400a8000)]);
  await roundTrip(c, out, 0x07, [...u32(4), ...u32(0), ...u32(0), ...u32(0), ...code], xorChecksum(code));
  await roundTrip(c, out, 0x06, [...u32(0), ...u32(0x400a8000)]);
  expect(c.mode).toBe("stub");
  out.clear();
  return { c, out };
}

describe("the stub while busy", () => {
  it("answers only the first of requests written back to back in one write", async () => {
    const { c, out } = await stubChip();
    const before = c.flash.counters.commands.READ_REG ?? 0;
    c.receive(cat(readReg(0x40001000), readReg(0x3ff5a004), readReg(0x40001000), readReg(0x3ff5a004)));
    await settle();
    expect(out.frames().map(hex)).toEqual(["010a0200831df0000000"]);
    expect(c.flash.counters.commands.READ_REG).toBe(before + 1);
  });

  it("drops a request written before the host could have its last reply, and answers the next one", async () => {
    const { c, out } = await stubChip();
    c.receive(md5Req(0, 0x10000));
    c.receive(readReg(0x40001000)); // same moment: the digest's reply is still on its way
    await settle();
    expect(out.frames().map((f) => f[1])).toEqual([0x13]);
    out.clear();
    c.receive(readReg(0x40001000));
    await settle();
    expect(out.frames().map(hex)).toEqual(["010a0200831df0000000"]);
    expect(c.stats.bytesLost).toBe(readReg(0x40001000).length);
  });

  it("a request cut across the re-arm leaves it deaf until a lone 0xC0", async () => {
    const { c, out } = await stubChip();
    const b = readReg(0x3ff5a004);
    c.receive(cat(readReg(0x40001000), b.subarray(0, 6)));
    await settle();
    c.receive(b.subarray(6));
    await settle();
    for (let i = 0; i < 3; i++) {
      c.receive(readReg(0x40001000));
      await settle();
    }
    expect(out.frames()).toHaveLength(1);
    c.receive(Uint8Array.of(0xc0));
    await settle();
    c.receive(readReg(0x3ff5a004));
    await settle();
    expect(out.frames().map(hex)).toEqual(["010a0200831df0000000", "010a0200563412c40000"]);
  });
});

describe("the ROM while busy", () => {
  it("reads requests waiting in its FIFO in order: 4 digests back to back, 4 replies", async () => {
    const c = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000 });
    const out = collect(c);
    c.flash.bytes.fill(0x42, 0, 0x4000);
    c.receive(cat(...[0, 1, 2, 3].map((i) => md5Req(i * 0x1000, 0x1000 - i))));
    await settle();
    const digests = out.frames().map((f) => Buffer.from(f.subarray(8, 40)).toString("latin1"));
    expect(digests).toEqual([0, 1, 2, 3].map((i) => md5Hex(new Uint8Array(0x1000 - i).fill(0x42))));
    expect(c.stats.bytesLost).toBe(0);
  });

  it("loses what overflows the 128-byte FIFO while it works on a command", async () => {
    const c = createVirtualChip({ chip: "esp32", flashSizeBytes: 0x400000 });
    const out = collect(c);
    const requests = [0, 1, 2, 3, 4, 5].map((i) => md5Req(i * 0x1000, 0x1000));
    const all = cat(...requests);
    expect(requests.every((r) => r.length === 26)).toBe(true);
    c.receive(all);
    await settle();
    // The first is read at once; 128 of the other 130 bytes wait: requests 2..5 and 24 bytes of the 6th.
    expect(out.frames().filter((f) => f[1] === 0x13 && f[8 + 32] === 0)).toHaveLength(5);
    expect(c.stats.bytesLost).toBe(all.length - 26 - ROM_UART_FIFO_BYTES);
  });
});
