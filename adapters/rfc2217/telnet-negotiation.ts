/**
 * Telnet option negotiation (RFC 854/1143, simplified): remembers which options are on for each side
 * and answers the peer's WILL/WONT/DO/DONT so that neither side loops. Pure: returns the bytes to send.
 */
import { encodeNegotiation } from "./telnet-codec.js";
import { TELNET } from "./telnet-constants.js";

type OptionState = "no" | "yes" | "want-yes";

/** The options one side of a telnet connection is willing to enable. */
export interface NegotiationPolicy {
  /** Options this side will perform (answers DO with WILL). */
  readonly local: readonly number[];
  /** Options this side wants the peer to perform (answers WILL with DO). */
  readonly remote: readonly number[];
}

/** Negotiation state of one connection. */
export class TelnetNegotiator {
  private readonly localState = new Map<number, OptionState>();
  private readonly remoteState = new Map<number, OptionState>();

  constructor(private readonly policy: NegotiationPolicy) {}

  /** Bytes that ask the peer for every option of the policy (send once after connecting). */
  requestAll(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const option of this.policy.local) {
      if ((this.localState.get(option) ?? "no") === "no") {
        this.localState.set(option, "want-yes");
        out.push(encodeNegotiation(TELNET.WILL, option));
      }
    }
    for (const option of this.policy.remote) {
      if ((this.remoteState.get(option) ?? "no") === "no") {
        this.remoteState.set(option, "want-yes");
        out.push(encodeNegotiation(TELNET.DO, option));
      }
    }
    return out;
  }

  /** Handles a WILL/WONT/DO/DONT from the peer; returns the reply (possibly none). */
  receive(command: number, option: number): Uint8Array[] {
    switch (command) {
      case TELNET.DO:
        return this.enable(this.localState, option, this.policy.local.includes(option), TELNET.WILL, TELNET.WONT);
      case TELNET.DONT:
        return this.disable(this.localState, option, TELNET.WONT);
      case TELNET.WILL:
        return this.enable(this.remoteState, option, this.policy.remote.includes(option), TELNET.DO, TELNET.DONT);
      case TELNET.WONT:
        return this.disable(this.remoteState, option, TELNET.DONT);
      default:
        return [];
    }
  }

  /** True when this side performs `option` (the peer said DO). */
  isLocalEnabled(option: number): boolean {
    return this.localState.get(option) === "yes";
  }

  /** True when the peer performs `option` (it said WILL). */
  isRemoteEnabled(option: number): boolean {
    return this.remoteState.get(option) === "yes";
  }

  private enable(
    states: Map<number, OptionState>,
    option: number,
    supported: boolean,
    agree: 251 | 253,
    refuse: 252 | 254,
  ): Uint8Array[] {
    const state = states.get(option) ?? "no";
    if (!supported) return [encodeNegotiation(refuse, option)];
    states.set(option, "yes");
    // "want-yes": this is the answer to our own request, "yes": already on — no reply in either case.
    return state === "no" ? [encodeNegotiation(agree, option)] : [];
  }

  private disable(states: Map<number, OptionState>, option: number, acknowledge: 252 | 254): Uint8Array[] {
    const state = states.get(option) ?? "no";
    states.set(option, "no");
    return state === "yes" ? [encodeNegotiation(acknowledge, option)] : [];
  }
}
