/** Local serial ports: the `Port`, discovery, automatic port choice, and pseudo-terminal serving. */
export { SerialPortPort, type SerialPortPortOptions, type SerialControlLinesState } from "./serial-port-port.js";
export { listSerialPorts, type ListSerialPortsOptions, type SerialPortListing } from "./list-ports.js";
export { readSysfsPorts, type SysfsPort } from "./sysfs-ports.js";
export { resolveAutoPort, describePort } from "./resolve-auto-port.js";
export { guessBridge, formatUsbId, USB_VENDOR, type UsbBridge, type BridgeGuess } from "./usb-bridges.js";
export { classifySerialError, mapSerialOpenError, type SerialFailure } from "./serial-errors.js";
export { servePty, type ServedPty, type ServePtyOptions } from "./pty-server.js";
