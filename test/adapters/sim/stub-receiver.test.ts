/**
 * The stub's SLIP receiver (esp-flasher-stub's slip.c / frame_buffer.c behaviour, PROTOCOL.md §12),
 * byte by byte: one frame per interrupt batch, nothing while no buffer is armed, the phase slip of a
 * frame cut across the re-arm, and the lone 0xC0 that ends it.
 */
import { describe, expect, it } from "vitest";
import { STUB_FRAME_BUFFER_BYTES, StubReceiver } from "../../../adapters/sim/stub-receiver.js";
import { frame, hex, request, u32 } from "./helpers.js";

const A = frame(request(0x0a, u32(0x40001000)));
const B = frame(request(0x0a, u32(0x3ff5a004)));
const C = frame(request(0x13, [...u32(0), ...u32(0x1000), ...u32(0), ...u32(0)]));
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const body = (f: Uint8Array) => hex(f.subarray(1, f.length - 1));

describe("stub receiver", () => {
  it("takes the first frame of a batch and ignores the rest of it, whole frames included", () => {
    const r = new StubReceiver();
    expect(hex(r.push(cat(A, B, C), true)!)).toBe(body(A));
    expect(r.ignoredBytes).toBe(B.length + C.length);
    // The next batch finds a buffer again.
    expect(hex(r.push(B, true)!)).toBe(body(B));
  });

  it("ignores a whole batch while the main loop has no buffer armed", () => {
    const r = new StubReceiver();
    expect(r.push(A, false)).toBeUndefined();
    expect(r.ignoredBytes).toBe(A.length);
    expect(hex(r.push(A, true)!)).toBe(body(A));
  });

  it("a frame cut across the re-arm leaves it deaf to single-delimited frames until one lone 0xC0", () => {
    const r = new StubReceiver();
    expect(hex(r.push(cat(A, B.subarray(0, 6)), true)!)).toBe(body(A));
    expect(r.push(B.subarray(6), true)).toBeUndefined(); // its closing 0xC0 opens a phantom frame
    for (let i = 0; i < 3; i++) expect(r.push(C, true)).toBeUndefined();
    expect(r.push(Uint8Array.of(0xc0), true)).toBeUndefined();
    expect(hex(r.push(C, true)!)).toBe(body(C));
  });

  it("in step, a lone 0xC0 throws it out of step (the next frame is lost, the one after is not)", () => {
    const r = new StubReceiver();
    expect(r.push(Uint8Array.of(0xc0), true)).toBeUndefined();
    expect(r.push(A, true)).toBeUndefined();
    expect(r.push(Uint8Array.of(0xc0), true)).toBeUndefined();
    expect(hex(r.push(A, true)!)).toBe(body(A));
  });

  it("an empty frame (two delimiters) keeps the buffer: the frame after it in the batch is taken", () => {
    const r = new StubReceiver();
    expect(hex(r.push(cat(Uint8Array.of(0xc0, 0xc0), A), true)!)).toBe(body(A));
  });

  it("unescapes DB DC / DB DD; a bad escape drops the frame and the rest of the batch", () => {
    const r = new StubReceiver();
    expect(hex(r.push(Uint8Array.of(0xc0, 1, 0xdb, 0xdc, 0xdb, 0xdd, 2, 0xc0), true)!)).toBe("01c0db02");
    expect(r.push(cat(Uint8Array.of(0xc0, 1, 0xdb, 0x00, 2, 0xc0), A), true)).toBeUndefined();
    expect(hex(r.push(A, true)!)).toBe(body(A));
  });

  it("a frame longer than the stub's buffer (8 + 0x4000 + 0xFF bytes) is dropped", () => {
    const r = new StubReceiver();
    const long = cat(Uint8Array.of(0xc0), new Uint8Array(STUB_FRAME_BUFFER_BYTES + 1).fill(0x11), Uint8Array.of(0xc0));
    expect(r.push(long, true)).toBeUndefined();
    const fits = cat(Uint8Array.of(0xc0), new Uint8Array(STUB_FRAME_BUFFER_BYTES).fill(0x11), Uint8Array.of(0xc0));
    expect(r.push(fits, true)?.length).toBe(STUB_FRAME_BUFFER_BYTES);
  });
});
