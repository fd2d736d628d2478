/**
 * The state every device operation works with: the esptool-js loader, our command channel, the
 * port (for the reset lines), what was learnt at connect, timeouts and the log.
 */
import type { ESPLoader } from "esptool-js";
import type { Port } from "../transport/port.js";
import type { ChipPort } from "./chip-port.js";
import type { CommandLink, LinkState } from "./command-link.js";
import type { ChipName } from "./device.js";
import type { LinkWatch } from "./link-watch.js";
import type { Timeouts } from "./timeouts.js";

/** Shared state of one connected chip. */
export interface Session {
  readonly loader: ESPLoader;
  readonly link: CommandLink;
  readonly state: LinkState;
  /** The port as given (traced when tracing), used for DTR/RTS. */
  readonly port: Port;
  readonly chip: ChipName;
  readonly timeouts: Timeouts;
  /** Human progress lines. */
  readonly log: (line: string) => void;
  /** Lines the user should see even when progress lines are hidden (a reset that cannot happen). */
  readonly notice: (line: string) => void;
  /** How the host reaches the chip (chip-port.ts): resets and data block sizes depend on it. */
  readonly chipPort: ChipPort;
  /** Flash size from RDID, 0 when unknown. */
  readonly flashSizeBytes: number;
  /** Baud rate of the ROM loader (and of the chip after any reset). */
  readonly romBaudRate: number;
  /** Notices a closed port or a chip reset at once. */
  readonly watch: LinkWatch;
  /** Resets the chip into download mode and reconnects at the ROM rate (the stub follows on demand). */
  readonly reconnect: () => Promise<void>;
  /** Uploads the flasher stub (and sets the transfer rate) unless it runs or the session is ROM-only. */
  readonly ensureStub: () => Promise<void>;
}
