/**
 * A pure telnet codec with the RFC 2217 subcommands espsync uses: an encoder for data (IAC doubling),
 * option negotiation and subnegotiations, and a streaming decoder that survives any split of its input
 * into chunks. No I/O here, so it is unit-tested byte by byte.
 */
import { COM_PORT, SERVER_REPLY_OFFSET, TELNET, TELNET_OPTION } from "./telnet-constants.js";

/** One thing found in the incoming stream. */
export type TelnetEvent =
  | { readonly type: "data"; readonly data: Uint8Array }
  | { readonly type: "negotiate"; readonly command: NegotiationCommand; readonly option: number }
  | { readonly type: "subnegotiation"; readonly option: number; readonly payload: Uint8Array }
  | { readonly type: "command"; readonly command: number };

/** WILL, WONT, DO or DONT. */
export type NegotiationCommand = typeof TELNET.WILL | typeof TELNET.WONT | typeof TELNET.DO | typeof TELNET.DONT;

/** Doubles every 0xFF so the bytes pass through telnet unchanged. */
export function escapeData(data: Uint8Array): Uint8Array {
  let count = 0;
  for (const byte of data) if (byte === TELNET.IAC) count++;
  if (count === 0) return data;
  const out = new Uint8Array(data.length + count);
  let j = 0;
  for (const byte of data) {
    out[j++] = byte;
    if (byte === TELNET.IAC) out[j++] = TELNET.IAC;
  }
  return out;
}

/** `IAC <command> <option>` (WILL/WONT/DO/DONT). */
export function encodeNegotiation(command: NegotiationCommand, option: number): Uint8Array {
  return Uint8Array.of(TELNET.IAC, command, option);
}

/** `IAC SB <option> <payload, IAC doubled> IAC SE`. */
export function encodeSubnegotiation(option: number, payload: Uint8Array): Uint8Array {
  const body = escapeData(payload);
  const out = new Uint8Array(body.length + 5);
  out.set([TELNET.IAC, TELNET.SB, option], 0);
  out.set(body, 3);
  out.set([TELNET.IAC, TELNET.SE], body.length + 3);
  return out;
}

/**
 * A COM-PORT-OPTION subnegotiation: `subcommand` is the client's number (1 = SET-BAUDRATE, …);
 * `fromServer` adds 100 as the server's replies do.
 */
export function encodeComPort(subcommand: number, value: Uint8Array, fromServer = false): Uint8Array {
  const code = fromServer ? subcommand + SERVER_REPLY_OFFSET : subcommand;
  const payload = new Uint8Array(value.length + 1);
  payload[0] = code;
  payload.set(value, 1);
  return encodeSubnegotiation(TELNET_OPTION.COM_PORT, payload);
}

/** SET-BAUDRATE with the rate as a 4-byte big-endian number (0 asks for the current rate). */
export function encodeSetBaudRate(baudRate: number, fromServer = false): Uint8Array {
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, baudRate >>> 0, false);
  return encodeComPort(COM_PORT.SET_BAUDRATE, value, fromServer);
}

/** A one-byte COM-PORT subcommand (SET-CONTROL, PURGE-DATA, SET-DATASIZE, …). */
export function encodeComPortByte(subcommand: number, value: number, fromServer = false): Uint8Array {
  return encodeComPort(subcommand, Uint8Array.of(value), fromServer);
}

/** A decoded COM-PORT-OPTION subnegotiation. */
export interface ComPortMessage {
  /** Subcommand number without the server offset (1 = SET-BAUDRATE, …). */
  readonly subcommand: number;
  /** True when it carried the +100 server offset. */
  readonly fromServer: boolean;
  /** The value bytes after the subcommand. */
  readonly value: Uint8Array;
}

/** Splits a COM-PORT-OPTION payload into subcommand and value; undefined when empty. */
export function parseComPort(payload: Uint8Array): ComPortMessage | undefined {
  const code = payload[0];
  if (code === undefined) return undefined;
  const fromServer = code >= SERVER_REPLY_OFFSET;
  return { subcommand: fromServer ? code - SERVER_REPLY_OFFSET : code, fromServer, value: payload.subarray(1) };
}

/** Reads a 4-byte big-endian baud rate value (0 when shorter). */
export function readBaudRate(value: Uint8Array): number {
  if (value.length < 4) return 0;
  return new DataView(value.buffer, value.byteOffset, 4).getUint32(0, false);
}

type State = "data" | "iac" | "negotiate" | "sb-option" | "sb-data" | "sb-iac";

/** Longest subnegotiation kept; longer ones are truncated (RFC 2217 messages are a few bytes). */
const MAX_SUBNEGOTIATION_BYTES = 256;

/** Streaming telnet decoder: feed chunks, get events; state carries over between chunks. */
export class TelnetDecoder {
  private state: State = "data";
  private command = 0;
  private option = 0;
  private sb: number[] = [];

  /** Decodes one chunk. Consecutive data bytes come out as one `data` event. */
  push(chunk: Uint8Array): TelnetEvent[] {
    const events: TelnetEvent[] = [];
    let data: number[] = [];
    const flush = (): void => {
      if (data.length > 0) events.push({ type: "data", data: Uint8Array.from(data) });
      data = [];
    };
    for (const byte of chunk) {
      switch (this.state) {
        case "data":
          if (byte === TELNET.IAC) this.state = "iac";
          else data.push(byte);
          break;
        case "iac":
          if (byte === TELNET.IAC) {
            data.push(TELNET.IAC);
            this.state = "data";
          } else if (byte === TELNET.WILL || byte === TELNET.WONT || byte === TELNET.DO || byte === TELNET.DONT) {
            this.command = byte;
            this.state = "negotiate";
          } else if (byte === TELNET.SB) {
            this.state = "sb-option";
          } else {
            flush();
            events.push({ type: "command", command: byte });
            this.state = "data";
          }
          break;
        case "negotiate":
          flush();
          events.push({ type: "negotiate", command: this.command as NegotiationCommand, option: byte });
          this.state = "data";
          break;
        case "sb-option":
          this.option = byte;
          this.sb = [];
          this.state = "sb-data";
          break;
        case "sb-data":
          if (byte === TELNET.IAC) this.state = "sb-iac";
          else if (this.sb.length < MAX_SUBNEGOTIATION_BYTES) this.sb.push(byte);
          break;
        case "sb-iac":
          if (byte === TELNET.SE) {
            flush();
            events.push({ type: "subnegotiation", option: this.option, payload: Uint8Array.from(this.sb) });
            this.sb = [];
            this.state = "data";
          } else {
            // IAC IAC inside SB is a literal 0xFF; any other command inside SB is a peer's error: keep
            // the byte as data of the subnegotiation rather than losing sync.
            if (this.sb.length < MAX_SUBNEGOTIATION_BYTES) this.sb.push(byte);
            this.state = "sb-data";
          }
          break;
      }
    }
    flush();
    return events;
  }
}
