/**
 * The shape of an agreement case and the test body every case shares: run on both chips, check
 * the facts measured on the real stub/ROM (so a changed QEMU rig is noticed), then require the
 * simulator's transcript to equal QEMU's.
 */
import { expect } from "vitest";
import type { AgreementPair } from "./agreement-pair.js";
import type { Session } from "./transcript.js";

/** One request sequence and what is known about QEMU's answer to it. */
export interface AgreementCaseSpec {
  /** What is sent and what the real chip does (the test's name). */
  readonly name: string;
  /** The sequence, written once against a {@link Session}. */
  readonly run: (s: Session) => Promise<void>;
  /** Assertions on QEMU's transcript: the behaviour observed on the real ROM/stub. */
  readonly facts?: (qemu: Session) => void;
}

/** Runs `c` on both chips; QEMU's facts must hold and the simulator must answer exactly like QEMU. */
export async function checkAgreement(pair: AgreementPair, c: AgreementCaseSpec): Promise<void> {
  const { qemu, sim } = await pair.run(c.run);
  c.facts?.(qemu);
  expect(sim.lines(), "simulator transcript (expected: QEMU's)").toEqual(qemu.lines());
}
