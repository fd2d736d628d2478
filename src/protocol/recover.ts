/**
 * Getting back a clean conversation with the loader after a failed command (`Device.recover`).
 *
 * 1. The port closed: nothing to do here; fail with PORT_CLOSED (the caller tells the user to re-run).
 * 2. The chip is still in the loader (a reply was lost or garbled, or the chip refused one command):
 *    wait for any abandoned read, drain the line, and re-sync with SYNC (PROTOCOL.md §2.1). A
 *    failure status to the first SYNC still proves the chip is listening (the stub answers the
 *    command after a failed deferred write with that error, §2.2), so SYNC is tried again.
 *    The stub's receiver can also be left mis-framed: when the start of a frame was dropped (it
 *    arrived while no frame buffer was armed, see `flash-md5.ts`) and its end was not, its closing
 *    0xC0 opens a phantom frame, the next request's opening 0xC0 closes it empty, and that request
 *    is dropped — and so is every one after it. One lone 0xC0 puts the receiver back in step, but
 *    also throws a receiver that *was* in step out of it; so the later attempts each send one, and
 *    whichever phase the receiver was in, one of the three SYNCs arrives framed.
 * 3. The chip reset (boot banner seen) or stays silent: reset it into download mode again and
 *    reconnect at the ROM baud rate, re-uploading the stub (`Session.reconnect`).
 */
import { RomError } from "../errors.js";
import { OP } from "./opcodes.js";
import { linkLostError } from "./protocol-errors.js";
import type { Session } from "./session.js";

/** SYNC payload: `07 07 12 20` and 32 × `55` (§2.1). */
const SYNC_PAYLOAD = Uint8Array.from([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);
/** SYNC requests tried before giving up on the running loader: plain, then twice after a lone 0xC0. */
const RESYNC_ATTEMPTS = 3;
/** A lone SLIP delimiter: toggles a mis-framed stub receiver back into step (see the module comment). */
const LONE_DELIMITER = Uint8Array.of(0xc0);

async function resync(session: Session): Promise<boolean> {
  const { link, watch } = session;
  for (let attempt = 0; attempt < RESYNC_ATTEMPTS; attempt++) {
    if (watch.lostReason) return false;
    await link.drain();
    // Straight to the port: the transport would frame it (an empty frame is two delimiters).
    if (attempt > 0 && session.state.stub) await link.guard("re-sync (framing)", undefined, () => session.port.write(LONE_DELIMITER));
    try {
      await link.command(OP.SYNC, SYNC_PAYLOAD, { what: "re-sync (SYNC)", timeoutMs: session.timeouts.defaultMs });
      // The loader sends 8 replies to one SYNC: let the other 7 arrive and drop them.
      await link.drain();
      return true;
    } catch (err) {
      if (!(err instanceof RomError)) session.log(`Re-sync attempt ${attempt + 1} failed (${err instanceof Error ? err.message : String(err)}).`);
    }
  }
  return false;
}

/** See the module comment. Throws PORT_CLOSED, or the reconnect's error when the chip cannot be reached. */
export async function recoverSession(session: Session): Promise<void> {
  const { link, state, watch } = session;
  await link.settled();
  if (state.portClosed || watch.lostReason?.kind === "closed") throw linkLostError({ kind: "closed" }, "recovery");
  if (await resync(session)) {
    session.log("Re-synchronised with the loader.");
    return;
  }
  if (state.portClosed) throw linkLostError({ kind: "closed" }, "recovery");
  session.log(`The loader does not answer; resetting the chip and reconnecting at ${session.romBaudRate} baud.`);
  await session.reconnect();
}
