/**
 * esptool-js's unmodified `ESPLoader` over a `Port`, through the Web-Serial shim: its resets drive
 * both reset lines at once through `Port.setLines` (PROTOCOL.md §4.2), and its messages go to the
 * trace hook instead of the user's terminal.
 */
import { ESPLoader, Transport, type IEspLoaderTerminal, type ResetConstructors } from "esptool-js";
import type { Port } from "../transport/port.js";
import { toWebSerialPort } from "../transport/web-serial-shim.js";
import type { ResolvedConnectOptions } from "./connect-options.js";
import { classicResetSteps, HARD_RESET_STEPS, runResetSteps, USB_JTAG_RESET_STEPS, type ResetStep } from "./reset-sequence.js";

/** Reset strategies for esptool-js; a custom sequence replaces every strategy but the hard reset. */
function resetConstructors(port: Port, custom: ResetStep[] | undefined): ResetConstructors {
  const strategy = (transport: Transport, steps: readonly ResetStep[], resetDelay = 0) => ({
    transport,
    resetDelay,
    usingUsbOtg: false,
    sequenceString: "",
    reset: () => runResetSteps(port, steps),
  });
  return {
    classicReset: (t: Transport, delay: number) => strategy(t, custom ?? classicResetSteps(delay), delay),
    usbJTAGSerialReset: (t: Transport) => strategy(t, custom ?? USB_JTAG_RESET_STEPS),
    hardReset: (t: Transport) => strategy(t, HARD_RESET_STEPS),
    customReset: (t: Transport) => strategy(t, custom ?? []),
  } as unknown as ResetConstructors;
}

/** A loader for `port` (closed; `loader.connect` opens it), see the module comment. */
export function createLoader(port: Port, opts: ResolvedConnectOptions): ESPLoader {
  const trace = opts.trace;
  const terminal: IEspLoaderTerminal = {
    clean: () => {},
    write: () => {},
    writeLine: (line: string) => trace?.(`esptool-js: ${line}`),
  };
  const transport = new Transport(toWebSerialPort(port) as never, false);
  // esptool-js's Transport prints some trace lines with console.log even when tracing is off;
  // route them to our trace hook instead of the user's terminal.
  transport.trace = (message: string) => trace?.(`esptool-js: ${message}`);
  return new ESPLoader({
    transport,
    baudrate: opts.baudRate ?? opts.romBaudRate, // esptool-js only uses it in main(), which espsync does not call
    romBaudrate: opts.romBaudRate,
    terminal,
    resetConstructors: resetConstructors(port, opts.resetSteps),
  });
}
