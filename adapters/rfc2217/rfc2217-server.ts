/**
 * Exposes a device (`SerialEndpoint`, e.g. the virtual chip) as an RFC 2217 server, so the RFC 2217
 * client can be tested end to end without ser2net and `espsync sim --rfc2217` behaves like a remote
 * board behind ser2net on a real USB adapter (it acknowledges SET-CONTROL and drives the lines).
 * One client at a time; a second concurrent client is refused. `espsync serve` attaches the same
 * per-client protocol handling ({@link attachRfc2217Client}) to real boards.
 */
import type { Socket } from "node:net";
import type { SerialEndpoint } from "../../src/transport/endpoint.js";
import type { HostPort } from "../tcp/host-port.js";
import { listenSingleClient, type RunningServer } from "../tcp/single-client-server.js";
import { LocalReset, type LocalResetAction, type LocalResetTiming } from "./local-reset.js";
import { encodeComPort, encodeComPortByte, encodeSetBaudRate, escapeData, parseComPort, readBaudRate, TelnetDecoder } from "./telnet-codec.js";
import { COM_PORT, LINE_8N1, SET_CONTROL, TELNET_OPTION } from "./telnet-constants.js";
import { TelnetNegotiator } from "./telnet-negotiation.js";

/** Options of {@link serveRfc2217}. */
export interface Rfc2217ServerOptions extends Rfc2217ClientOptions {
  /** Baud rate reported before the client sets one (default 115200). */
  initialBaudRate?: number;
}

/** How one client's requests are applied. */
export interface Rfc2217ClientOptions {
  /**
   * Run reset sequences locally with esptool's timing (local-reset.ts) instead of applying each
   * SET-CONTROL as it arrives, as ser2net does. Default false.
   */
  localReset?: boolean;
  /** Shorter reset timings for tests (default: esptool's). */
  localResetTiming?: LocalResetTiming;
  /** Told when the local reset layer acted on its own. */
  onLocalReset?: (action: LocalResetAction) => void;
}

/** What the server remembers about the device between clients: its baud rate and lines. */
export interface Rfc2217DeviceState {
  baudRate: number;
  dtr: boolean;
  rts: boolean;
}

/** What the server answers to SIGNATURE (RFC 2217 lets the server describe itself). */
const SIGNATURE = "espsync";

/**
 * Serves `endpoint` over RFC 2217 on `address` (port 0 = ephemeral). SET-BAUDRATE calls
 * `endpoint.setBaudRate`; SET-CONTROL DTR/RTS calls `endpoint.setLines` with the other line's last
 * state (through the local reset layer with `localReset`); every COM-PORT request is acknowledged
 * (+100) with the value in effect. Data passes unescaped.
 * Rejects with `PORT_BUSY` naming host:port when the address is taken.
 */
export function serveRfc2217(endpoint: SerialEndpoint, address: HostPort, options: Rfc2217ServerOptions = {}): Promise<RunningServer> {
  const state: Rfc2217DeviceState = { baudRate: options.initialBaudRate ?? 115_200, dtr: false, rts: false };
  return listenSingleClient(address, (socket) => attachRfc2217Client(socket, endpoint, state, options), "RFC 2217 server");
}

/**
 * Speaks RFC 2217 with one connected client on behalf of `endpoint`: negotiates the telnet options,
 * passes data both ways and answers COM-PORT requests, keeping `state` current. Returns the function
 * that detaches it again (call it when the socket closes).
 */
export function attachRfc2217Client(socket: Socket, endpoint: SerialEndpoint, state: Rfc2217DeviceState, options: Rfc2217ClientOptions = {}): () => void {
  const localReset = options.localReset === true ? new LocalReset(endpoint, options.localResetTiming, options.onLocalReset) : undefined;
  const device = localReset ?? endpoint;
  const negotiator = new TelnetNegotiator({
    local: [TELNET_OPTION.BINARY, TELNET_OPTION.SGA],
    remote: [TELNET_OPTION.BINARY, TELNET_OPTION.SGA, TELNET_OPTION.COM_PORT],
  });
  const send = (bytes: Uint8Array): void => {
    if (!socket.destroyed) socket.write(bytes);
  };
  for (const bytes of negotiator.requestAll()) send(bytes);
  const stopTransmit = endpoint.onTransmit((data) => send(escapeData(data)));
  const decoder = new TelnetDecoder();
  socket.on("data", (chunk: Buffer) => {
    for (const event of decoder.push(chunk)) {
      if (event.type === "data") device.receive(event.data);
      else if (event.type === "negotiate") negotiator.receive(event.command, event.option).forEach(send);
      else if (event.type === "subnegotiation" && event.option === TELNET_OPTION.COM_PORT) {
        const reply = answerComPort(event.payload, device, state);
        if (reply !== undefined) send(reply);
      }
    }
  });
  return () => {
    stopTransmit();
    localReset?.dispose();
  };
}

/** Applies one client request to the endpoint and returns the acknowledgement (undefined: none). */
function answerComPort(payload: Uint8Array, endpoint: SerialEndpoint, state: Rfc2217DeviceState): Uint8Array | undefined {
  const message = parseComPort(payload);
  if (message === undefined || message.fromServer) return undefined;
  const value = message.value[0] ?? 0;
  switch (message.subcommand) {
    case COM_PORT.SIGNATURE:
      return encodeComPort(COM_PORT.SIGNATURE, new TextEncoder().encode(SIGNATURE), true);
    case COM_PORT.SET_BAUDRATE: {
      const baudRate = readBaudRate(message.value);
      if (baudRate !== 0 && baudRate !== state.baudRate) {
        state.baudRate = baudRate;
        endpoint.setBaudRate(baudRate);
      }
      return encodeSetBaudRate(state.baudRate, true);
    }
    case COM_PORT.SET_DATASIZE:
      return encodeComPortByte(COM_PORT.SET_DATASIZE, LINE_8N1.dataBits, true);
    case COM_PORT.SET_PARITY:
      return encodeComPortByte(COM_PORT.SET_PARITY, LINE_8N1.parityNone, true);
    case COM_PORT.SET_STOPSIZE:
      return encodeComPortByte(COM_PORT.SET_STOPSIZE, LINE_8N1.stopBits1, true);
    case COM_PORT.SET_CONTROL:
      return encodeComPortByte(COM_PORT.SET_CONTROL, applyControl(value, endpoint, state), true);
    case COM_PORT.SET_LINESTATE_MASK:
    case COM_PORT.SET_MODEMSTATE_MASK:
    case COM_PORT.PURGE_DATA:
      // Nothing is buffered between the socket and the endpoint, so a purge has nothing to discard.
      return encodeComPortByte(message.subcommand, value, true);
    default:
      return undefined;
  }
}

/** Handles a SET-CONTROL value; returns the value to acknowledge with. */
function applyControl(value: number, endpoint: SerialEndpoint, state: Rfc2217DeviceState): number {
  switch (value) {
    case SET_CONTROL.DTR_ON:
    case SET_CONTROL.DTR_OFF:
      state.dtr = value === SET_CONTROL.DTR_ON;
      endpoint.setLines({ dtr: state.dtr, rts: state.rts });
      return value;
    case SET_CONTROL.RTS_ON:
    case SET_CONTROL.RTS_OFF:
      state.rts = value === SET_CONTROL.RTS_ON;
      endpoint.setLines({ dtr: state.dtr, rts: state.rts });
      return value;
    case SET_CONTROL.REQUEST_DTR:
      return state.dtr ? SET_CONTROL.DTR_ON : SET_CONTROL.DTR_OFF;
    case SET_CONTROL.REQUEST_RTS:
      return state.rts ? SET_CONTROL.RTS_ON : SET_CONTROL.RTS_OFF;
    case SET_CONTROL.REQUEST_FLOW:
      return SET_CONTROL.FLOW_NONE;
    default:
      return value;
  }
}

