/**
 * espsync as a library. Everything a program needs to flash, verify, read and erase ESP32-family
 * chips is exported from here; nothing else in the package is a public entry point.
 *
 * The usual sequence: `readImageSet` + `validateImageSet` (bad input never touches the chip), then
 * `openPort(url)` + `connect(port)` to get a `Device`, then `flash({ device, images })`, then
 * `device.finish("hard_reset")`. ELF inputs (`ImageInput.elfFiles`, or an ELF in `pairs`) come back
 * as `elfInputs`: `attachElfApps` converts them when it can, and `completeElfApps` once the chip
 * (and its partition table) is known.
 */
export { EspsyncError, ReadInterruptedError, RomError, VerifyError, WriteInterruptedError, ERROR_CODES, hex32, isErrorCode } from "./errors.js";
export type { ErrorCode, EspsyncErrorOptions } from "./errors.js";
export type { ControlLines, Port, PortCapabilities, PortInfo, SerialEndpoint } from "./transport/index.js";

// Ports: serial, socket://, rfc2217:// and the virtual chip (sim:), plus discovery.
export { openPort, listSerialPorts, resolveAutoPort, createVirtualChip, parseSimUrl, serveEndpoint } from "../adapters/index.js";
export type { OpenPortOptions, SerialPortListing, SimOptions, VirtualChip } from "../adapters/index.js";

// The chip.
export { connect } from "./protocol/index.js";
export type { ConnectOptions } from "./protocol/index.js";
export type { AfterMode, BeforeMode, ChipDescription, ChipName, Device, ReadOptions, SecurityState, WriteOptions, WriteStats } from "./protocol/device.js";

// Images: reading, validation, parsers.
export {
  readImageSet,
  validateImageSet,
  validateForChip,
  parseEspImage,
  parseAppDescription,
  parsePartitionTable,
  patchBootloader,
  elfToImage,
  attachElfApps,
  completeElfApps,
} from "./image/index.js";
export type { ImageInput, ImageSet, ImageRegion, ElfImage, ElfToImageOptions, ImageSetWithElf } from "./image/index.js";

// The delta engine.
export { flash, verify } from "./engine/index.js";
export type { CacheStore, FlashEvent, FlashRequest, FlashResult, RegionResult, VerifyRequest, VerifyResult, RegionVerifyResult } from "./engine/index.js";
export type { FlashPlan, RegionPlan, PlanRun, CacheEntry } from "./plan/index.js";
