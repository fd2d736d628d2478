/**
 * The one contract every way of reaching a chip implements: a local serial port, a raw TCP socket,
 * an RFC 2217 connection or the in-process virtual chip. It is deliberately small and push-based so
 * that each adapter stays simple; the Web-Serial shim esptool-js needs is built on top of it.
 */

/** What a port can do beyond moving bytes. */
export interface PortCapabilities {
  /** DTR/RTS reach the board, so the reset sequences can enter download mode. */
  readonly controlLines: boolean;
  /** The host side can change its baud rate without closing the port. */
  readonly setBaudRate: boolean;
}

/** Identity of the port, as far as it is known. */
export interface PortInfo {
  /** The URL or path the port was opened with. */
  readonly path: string;
  /** USB vendor id, when the port is a USB device. */
  readonly usbVendorId?: number;
  /** USB product id, when the port is a USB device. */
  readonly usbProductId?: number;
  /** USB serial number, when known. */
  readonly serialNumber?: string;
}

/** State of the two modem-control lines; `true` = asserted (pin at 0 V on the board side). */
export interface ControlLines {
  readonly dtr: boolean;
  readonly rts: boolean;
}

/**
 * A bidirectional byte link to a chip.
 *
 * Guarantees every implementation gives:
 * - `open` resolves once bytes can flow, or rejects with an `EspsyncError` (`PORT_NOT_FOUND`,
 *   `PORT_BUSY`, `PORT_PERMISSION`, `CONNECT_REFUSED`, `TIMEOUT`) — it never hangs.
 * - Data listeners receive every byte from the chip, in order, from the moment they are added.
 * - `write` resolves when the bytes were handed to the OS (or the simulator); it rejects with
 *   `PORT_CLOSED` after the link was lost.
 * - `setLines` always sets both lines together, so no adapter ever has to guess the other one.
 * - `close` is idempotent and releases any lock the port holds.
 */
export interface Port {
  /** Identity of the port. */
  readonly info: PortInfo;
  /** What the port can do. */
  readonly capabilities: PortCapabilities;
  /** Current host-side baud rate (informational on links without a real UART). */
  readonly baudRate: number;
  /** Opens the link at `baudRate`. */
  open(baudRate: number): Promise<void>;
  /** Sends bytes to the chip. */
  write(data: Uint8Array): Promise<void>;
  /** Registers a listener for bytes from the chip; returns a function that removes it. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Registers a listener called once when the link closes (with the error when it was lost). */
  onClose(listener: (error?: Error) => void): () => void;
  /** Sets DTR and RTS together. No-op (resolved) when `capabilities.controlLines` is false. */
  setLines(lines: ControlLines): Promise<void>;
  /** Changes the host-side baud rate in place. Rejects with `UNSUPPORTED` when not capable. */
  setBaudRate(baudRate: number): Promise<void>;
  /** Closes the link. Safe to call more than once. */
  close(): Promise<void>;
}
