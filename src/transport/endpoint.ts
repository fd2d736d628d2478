/**
 * The device side of a serial link: what sits at the far end of a UART. The virtual chip implements
 * it, and the servers that expose a device over TCP, RFC 2217 or a pseudo-terminal consume it, so
 * neither needs to know about the other.
 */
import type { ControlLines } from "./port.js";

/** A device that bytes can be sent to and received from, with modem-control lines and a baud rate. */
export interface SerialEndpoint {
  /** Bytes arriving from the host. */
  receive(data: Uint8Array): void;
  /** Registers a listener for bytes the device sends; returns a function that removes it. */
  onTransmit(listener: (data: Uint8Array) => void): () => void;
  /** The host changed DTR/RTS (true = asserted). */
  setLines(lines: ControlLines): void;
  /** The host changed its baud rate. */
  setBaudRate(baudRate: number): void;
}
