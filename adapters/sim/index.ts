/**
 * The virtual ESP32-family chip: public surface of the simulator adapter.
 */
export { VirtualChip, createVirtualChip } from "./virtual-chip.js";
export { parseSimUrl } from "./sim-url.js";
export { SimPort, openSimPort } from "./sim-port.js";
export { SIM_CHIPS } from "./chip-table.js";
export type { SimChipName } from "./chip-table.js";
export type { SimOptions } from "./options.js";
export type { FaultRule } from "./faults.js";
export type { TimingProfile } from "./timing.js";
