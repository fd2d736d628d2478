/**
 * The GET_SECURITY_INFO payload (PROTOCOL.md §2.6) as the ROM and the stub send it: the chip's
 * flags, crypt count and chip id, plus the bytes the real ROM fills that the simulator does not
 * derive from eFuses (chip table `romSecurityInfoFixed`). The stub answers with the ROM's struct.
 */
import type { LoaderContext } from "./loader-context.js";

/** The `bytes`-long payload (12 or 20). */
export function securityInfoPayload(ctx: Pick<LoaderContext, "spec" | "securityInfo">, bytes: number): Uint8Array {
  const out = Uint8Array.from(ctx.securityInfo(bytes));
  for (const [offset, value] of Object.entries(ctx.spec.romSecurityInfoFixed ?? {})) {
    if (Number(offset) < out.length) out[Number(offset)] = value;
  }
  return out;
}
