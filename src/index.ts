/**
 * espsync as a library. Everything a program needs to flash, verify, read and erase ESP32-family
 * chips is exported from here; nothing else in the package is a public entry point.
 */
export { EspsyncError, RomError, VerifyError, ERROR_CODES, hex32, isErrorCode } from "./errors.js";
export type { ErrorCode, EspsyncErrorOptions } from "./errors.js";
export type { ControlLines, Port, PortCapabilities, PortInfo, SerialEndpoint } from "./transport/index.js";
export type { AfterMode, BeforeMode, ChipDescription, ChipName, Device, SecurityState, WriteStats } from "./protocol/device.js";
