import { describe, expect, it } from "vitest";
import { describeRequest, describeResponse, SlipFrameDecoder } from "../../src/protocol/trace-port.js";

describe("trace lines", () => {
  it("requests: opcode name, length and argument words", () => {
    const f = Uint8Array.from([0x00, 0x13, 16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(describeRequest(f)).toBe("-> SPI_FLASH_MD5 len=16 [0x10000, 0x1000, 0x0, 0x0]");
  });
  it("ROM replies: 4 status bytes, failure decoded", () => {
    const f = Uint8Array.from([0x01, 0x02, 4, 0, 0x07, 0x07, 0x12, 0x20, 0x01, 0x05, 0xff, 0xff]);
    expect(describeResponse(f, false)).toBe(
      "<- FLASH_BEGIN len=4 value=0x20120707 FAIL ROM error 0x05 (received message format invalid (or command not supported))",
    );
  });
  it("stub replies: payload length and 2 status bytes", () => {
    const f = Uint8Array.from([0x01, 0x13, 18, 0, 0, 0, 0, 0, ...new Array<number>(16).fill(0xaa), 0, 0]);
    expect(describeResponse(f, true)).toBe("<- SPI_FLASH_MD5 len=18 value=0x00000000 payload=16 ok");
  });
  it("raw frames and OHAI", () => {
    expect(describeResponse(Uint8Array.from([0x4f, 0x48, 0x41, 0x49]), true)).toBe("<- OHAI (stub running)");
    expect(describeRequest(Uint8Array.from([0, 0x10, 0, 0]))).toBe("-> raw frame 4 bytes: 00 10 00 00");
  });
});

describe("SlipFrameDecoder", () => {
  it("unescapes frames split across chunks and reports text outside frames", () => {
    const frames: number[][] = [];
    const texts: string[] = [];
    const d = new SlipFrameDecoder();
    const onFrame = (f: Uint8Array) => frames.push(Array.from(f));
    const onText = (t: Uint8Array) => texts.push(Buffer.from(t).toString("latin1"));
    d.push(Buffer.from("boot:0x13\r\n"), onFrame, onText);
    d.push(Uint8Array.from([0xc0, 1, 0xdb]), onFrame, onText);
    d.push(Uint8Array.from([0xdc, 2, 0xdb, 0xdd, 0xc0, 0xc0, 3, 0xc0]), onFrame, onText);
    expect(texts).toEqual(["boot:0x13\r\n"]);
    expect(frames).toEqual([[1, 0xc0, 2, 0xdb], [3]]);
  });
});
