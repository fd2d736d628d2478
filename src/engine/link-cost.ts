/**
 * Choosing the planner's cost model for a flash: the caller's model when given (it is the whole
 * truth: benchmarks, tests); otherwise one for the link the Device reports (USB-Serial/JTAG runs at
 * USB speed whatever the baud) with the round trip measured on this connection; otherwise one for
 * the baud the caller asked for; otherwise the default.
 */
import {
  costModelForBaud,
  costModelForLink,
  DEFAULT_COST_MODEL,
  planningRoundTripS,
  ROM_EXCHANGES,
  STUB_EXCHANGES,
  withRoundTrip,
  type CostModel,
  type LoaderExchanges,
} from "../plan/index.js";
import type { Device } from "../protocol/device.js";

/** True while the ROM answers digests: no stub wanted, or wanted and not uploaded yet. */
function romAnswersDigests(device: Pick<Device, "chip">): boolean {
  return !device.chip.stub || device.chip.romWrites !== undefined;
}

/** The exchanges of whoever answers digests now, writing through `writer`. */
function exchangesFor(device: Pick<Device, "chip">, writer: LoaderExchanges): LoaderExchanges {
  const digests = romAnswersDigests(device) ? ROM_EXCHANGES : STUB_EXCHANGES;
  return { ...writer, digestsPerRoundTrip: digests.digestsPerRoundTrip };
}

/** The cost model for flashing over `device`; `compress: false` when writes go uncompressed. */
export function costModelFor(request: { readonly cost?: CostModel; readonly baudRate?: number }, device: Pick<Device, "chip">, compress: boolean): CostModel {
  const link = device.chip.link;
  let base = request.cost ?? (link !== undefined ? costModelForLink(link) : request.baudRate !== undefined ? costModelForBaud(request.baudRate) : DEFAULT_COST_MODEL);
  const roundTripS = planningRoundTripS(link);
  if (request.cost === undefined && roundTripS !== undefined) {
    base = withRoundTrip(base, roundTripS, exchangesFor(device, device.chip.stub ? STUB_EXCHANGES : ROM_EXCHANGES));
  }
  return compress ? base : { ...base, compress: false };
}
