import { describe, expect, it } from "vitest";
import {
  encodeComPortByte,
  encodeNegotiation,
  encodeSetBaudRate,
  encodeSubnegotiation,
  escapeData,
  parseComPort,
  readBaudRate,
  TelnetDecoder,
  type TelnetEvent,
} from "../../../adapters/rfc2217/telnet-codec.js";
import { TelnetNegotiator } from "../../../adapters/rfc2217/telnet-negotiation.js";

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const list = (u: Uint8Array): number[] => [...u];

describe("telnet encoder", () => {
  it("doubles every IAC in data and leaves other bytes alone", () => {
    expect(list(escapeData(bytes(1, 0xff, 2, 0xff, 0xff)))).toEqual([1, 0xff, 0xff, 2, 0xff, 0xff, 0xff, 0xff]);
    expect(list(escapeData(bytes(0xfe, 0xfa, 0xf0)))).toEqual([0xfe, 0xfa, 0xf0]);
  });

  it("encodes WILL/DO negotiation as IAC cmd option", () => {
    expect(list(encodeNegotiation(251, 0))).toEqual([0xff, 0xfb, 0x00]);
    expect(list(encodeNegotiation(253, 44))).toEqual([0xff, 0xfd, 0x2c]);
  });

  it("encodes SET-BAUDRATE 115200 as IAC SB 44 1 <u32 BE> IAC SE, and the server reply with 101", () => {
    expect(list(encodeSetBaudRate(115200))).toEqual([0xff, 0xfa, 44, 1, 0x00, 0x01, 0xc2, 0x00, 0xff, 0xf0]);
    expect(list(encodeSetBaudRate(921600, true))).toEqual([0xff, 0xfa, 44, 101, 0x00, 0x0e, 0x10, 0x00, 0xff, 0xf0]);
  });

  it("doubles IAC inside a subnegotiation value (baud 0x0000FFFF)", () => {
    expect(list(encodeSetBaudRate(0xffff))).toEqual([0xff, 0xfa, 44, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0]);
  });

  it.each([
    ["DTR on", 8],
    ["DTR off", 9],
    ["RTS on", 11],
    ["RTS off", 12],
  ])("encodes SET-CONTROL %s", (_name, value) => {
    expect(list(encodeComPortByte(5, value))).toEqual([0xff, 0xfa, 44, 5, value, 0xff, 0xf0]);
    expect(list(encodeComPortByte(5, value, true))).toEqual([0xff, 0xfa, 44, 105, value, 0xff, 0xf0]);
  });

  it("encodes PURGE-DATA both, SET-DATASIZE 8, SET-PARITY none, SET-STOPSIZE 1", () => {
    expect(list(encodeComPortByte(12, 3))).toEqual([0xff, 0xfa, 44, 12, 3, 0xff, 0xf0]);
    expect(list(encodeComPortByte(2, 8))).toEqual([0xff, 0xfa, 44, 2, 8, 0xff, 0xf0]);
    expect(list(encodeComPortByte(3, 1))).toEqual([0xff, 0xfa, 44, 3, 1, 0xff, 0xf0]);
    expect(list(encodeComPortByte(4, 1))).toEqual([0xff, 0xfa, 44, 4, 1, 0xff, 0xf0]);
  });

  it("encodes an arbitrary subnegotiation", () => {
    expect(list(encodeSubnegotiation(24, bytes(1)))).toEqual([0xff, 0xfa, 24, 1, 0xff, 0xf0]);
  });
});

describe("telnet decoder", () => {
  const stream = bytes(
    0x41, 0xff, 0xff, 0x42, // data "A", literal 0xFF, "B"
    0xff, 0xfb, 0x00, // WILL BINARY
    0xff, 0xfa, 44, 101, 0x00, 0x01, 0xc2, 0x00, 0xff, 0xf0, // SB reply SET-BAUDRATE 115200
    0x43, // "C"
    0xff, 0xf1, // NOP
    0xff, 0xfa, 44, 105, 0xff, 0xff, 0xff, 0xf0, // SB with an escaped 0xFF in the value
  );
  const expected: TelnetEvent[] = [
    { type: "data", data: bytes(0x41, 0xff, 0x42) },
    { type: "negotiate", command: 251, option: 0 },
    { type: "subnegotiation", option: 44, payload: bytes(101, 0x00, 0x01, 0xc2, 0x00) },
    { type: "data", data: bytes(0x43) },
    { type: "command", command: 0xf1 },
    { type: "subnegotiation", option: 44, payload: bytes(105, 0xff) },
  ];

  /** Joins adjacent data events so results of differently chunked input can be compared. */
  function normalise(events: TelnetEvent[]): TelnetEvent[] {
    const out: TelnetEvent[] = [];
    for (const event of events) {
      const last = out[out.length - 1];
      if (event.type === "data" && last?.type === "data") out[out.length - 1] = { type: "data", data: bytes(...last.data, ...event.data) };
      else out.push(event);
    }
    return out;
  }

  it("decodes a whole stream in one chunk", () => {
    expect(new TelnetDecoder().push(stream)).toEqual(expected);
  });

  it("decodes the same stream fed one byte at a time", () => {
    const decoder = new TelnetDecoder();
    const events = [...stream].flatMap((b) => decoder.push(bytes(b)));
    expect(normalise(events)).toEqual(expected);
  });

  it("decodes the stream split at every possible position", () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const decoder = new TelnetDecoder();
      const events = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      expect(normalise(events), `split at ${cut}`).toEqual(expected);
    }
  });

  it("round-trips escaped data", () => {
    const data = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    expect(new TelnetDecoder().push(escapeData(data))).toEqual([{ type: "data", data }]);
  });

  it("parses COM-PORT payloads with and without the server offset", () => {
    expect(parseComPort(bytes(101, 0, 1, 0xc2, 0))).toEqual({ subcommand: 1, fromServer: true, value: bytes(0, 1, 0xc2, 0) });
    expect(parseComPort(bytes(5, 8))).toEqual({ subcommand: 5, fromServer: false, value: bytes(8) });
    expect(parseComPort(bytes())).toBeUndefined();
    expect(readBaudRate(bytes(0, 0x0e, 0x10, 0))).toBe(921600);
  });
});

describe("telnet negotiation", () => {
  const client = (): TelnetNegotiator => new TelnetNegotiator({ local: [0, 3, 44], remote: [0, 3] });

  it("requests every option once", () => {
    const n = client();
    expect(n.requestAll().map(list)).toEqual([
      [0xff, 0xfb, 0], [0xff, 0xfb, 3], [0xff, 0xfb, 44], [0xff, 0xfd, 0], [0xff, 0xfd, 3],
    ]);
    expect(n.requestAll()).toEqual([]);
  });

  it("does not answer the acknowledgement of its own request, and marks the option on", () => {
    const n = client();
    n.requestAll();
    expect(n.receive(0xfd, 44)).toEqual([]); // DO COM-PORT answers our WILL
    expect(n.isLocalEnabled(44)).toBe(true);
    expect(n.receive(0xfb, 0)).toEqual([]); // WILL BINARY answers our DO
    expect(n.isRemoteEnabled(0)).toBe(true);
  });

  it("agrees to a supported option the peer asks for first and refuses others", () => {
    const n = client();
    expect(n.receive(0xfd, 0).map(list)).toEqual([[0xff, 0xfb, 0]]); // DO BINARY -> WILL BINARY
    expect(n.receive(0xfd, 0)).toEqual([]); // repeated: no loop
    expect(n.receive(0xfb, 1).map(list)).toEqual([[0xff, 0xfe, 1]]); // WILL ECHO -> DONT ECHO
    expect(n.receive(0xfd, 24).map(list)).toEqual([[0xff, 0xfc, 24]]); // DO TTYPE -> WONT TTYPE
  });

  it("acknowledges the peer switching an enabled option off, once", () => {
    const n = client();
    n.receive(0xfb, 3); // WILL SGA
    expect(n.receive(0xfc, 3).map(list)).toEqual([[0xff, 0xfe, 3]]); // WONT SGA -> DONT SGA
    expect(n.receive(0xfc, 3)).toEqual([]);
    expect(n.isRemoteEnabled(3)).toBe(false);
  });

  it("takes a refusal of its own request without replying", () => {
    const n = client();
    n.requestAll();
    expect(n.receive(0xfe, 44)).toEqual([]); // DONT COM-PORT
    expect(n.isLocalEnabled(44)).toBe(false);
  });
});
