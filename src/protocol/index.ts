/**
 * The device layer: `connect` a `Port` to an ESP32-family chip and get a `Device` (the only folder
 * that imports esptool-js).
 */
export { connect } from "./connect.js";
export { DEFAULT_BAUD_RATE, ROM_BAUD_RATE, resolveConnectOptions } from "./connect-options.js";
export type { ConnectOptions, ResolvedConnectOptions } from "./connect-options.js";
export { CHIP_NAMES } from "./device.js";
export type {
  AfterMode,
  BeforeMode,
  ByteProgress,
  ChipDescription,
  ChipName,
  Device,
  ReadOptions,
  SecurityState,
  WriteOptions,
  WriteStats,
} from "./device.js";
export type { Md5Range } from "./flash-md5.js";
export { DEFAULT_TIMEOUTS } from "./timeouts.js";
export type { Timeouts } from "./timeouts.js";
export { parseResetSequence } from "./reset-sequence.js";
export type { ResetStep } from "./reset-sequence.js";
