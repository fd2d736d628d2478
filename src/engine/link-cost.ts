/**
 * Choosing the planner's cost model for a flash: the caller's model when given; otherwise one for the
 * link the Device reports (USB-Serial/JTAG runs at USB speed whatever the baud); otherwise one for the
 * baud the caller asked for; otherwise the default.
 */
import { costModelForBaud, costModelForLink, DEFAULT_COST_MODEL, type CostModel } from "../plan/index.js";
import type { Device } from "../protocol/device.js";

/** The cost model for flashing over `device`; `compress: false` when writes go uncompressed. */
export function costModelFor(request: { readonly cost?: CostModel; readonly baudRate?: number }, device: Pick<Device, "chip">, compress: boolean): CostModel {
  const link = device.chip.link;
  const base = request.cost ?? (link !== undefined ? costModelForLink(link) : request.baudRate !== undefined ? costModelForBaud(request.baudRate) : DEFAULT_COST_MODEL);
  return compress ? base : { ...base, compress: false };
}
