/**
 * Drives the planner's probe state machine against the chip: each round sends every pending digest
 * query at once (`md5Many` pipelines them) and feeds the answers back, until nothing is left to ask.
 */
import { applyDigests, nextQueries, type ProbeState } from "../plan/index.js";
import type { Device } from "../protocol/device.js";
import type { FlashEvent } from "./types.js";

/** The finished probe and how many digests it asked for. */
export interface ProbeOutcome {
  readonly state: ProbeState;
  readonly queries: number;
}

/**
 * Runs the probe to the end. `checkStop` is called between rounds (Ctrl-C before anything is
 * written); it throws to abandon the probe.
 */
export async function runProbeLoop(device: Pick<Device, "md5Many">, start: ProbeState, onEvent: (e: FlashEvent) => void, checkStop: () => void): Promise<ProbeOutcome> {
  let state = start;
  let done = 0;
  for (let queries = nextQueries(state); queries.length > 0; queries = nextQueries(state)) {
    checkStop();
    onEvent({ type: "hash", queries: done + queries.length, doneQueries: done });
    const digests = await device.md5Many(queries);
    state = applyDigests(state, queries, digests);
    done += queries.length;
    onEvent({ type: "hash", queries: done, doneQueries: done });
  }
  return { state, queries: done };
}
