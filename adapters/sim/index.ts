/**
 * The virtual ESP32-family chip: public surface of the simulator adapter.
 */
export { VirtualChip, createVirtualChip } from "./virtual-chip.js";
export { parseSimUrl, simOptions } from "./sim-url.js";
export { SimPort, openSimPort } from "./sim-port.js";
export { SIM_CHIPS } from "./chip-table.js";
export type { SimChipName } from "./chip-table.js";
export type { SimOptions } from "./options.js";
export type { FaultRule } from "./faults.js";
export { TIMING_PROFILES, type TimingProfile } from "./timing.js";
export { chipsWithPortKind, type SimPortKind } from "./usb-ports.js";
