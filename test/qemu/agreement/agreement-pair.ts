/**
 * Runs one agreement case on QEMU and on the simulator at the same time and hands back both
 * transcripts; the test compares them (QEMU is the truth). Groups of cases start from a reset
 * into the ROM loader, optionally followed by the stub upload.
 */
import { SimTarget, QemuTarget, type ChipTarget } from "./chip-targets.js";
import { readStubImage, syncRom, uploadStub, type StubImage } from "./loader-setup.js";
import type { QemuChipName } from "./qemu-rig.js";
import type { RawLink } from "./raw-link.js";
import { describeFrame, Session, type Personality } from "./transcript.js";

/** A case: the same request sequence, written once, run against one chip. */
export type AgreementCase = (s: Session) => Promise<void>;

/** Both chips' transcripts of one case. */
export interface CaseResult {
  readonly qemu: Session;
  readonly sim: Session;
}

/** QEMU and the simulator side by side, for one chip type. */
export class AgreementPair {
  private links: Record<"qemu" | "sim", RawLink | undefined> = { qemu: undefined, sim: undefined };
  private personality: Personality = "rom";
  private readonly stub: StubImage;

  private constructor(
    private readonly qemu: ChipTarget,
    private readonly sim: ChipTarget,
    chip: QemuChipName,
  ) {
    this.stub = readStubImage(chip);
  }

  /** Starts QEMU and prepares the simulator for `chip`. */
  static async start(chip: QemuChipName): Promise<AgreementPair> {
    return new AgreementPair(await QemuTarget.start(chip), SimTarget.create(chip), chip);
  }

  /** Both chips back to the ROM loader, synced. */
  async toRom(): Promise<void> {
    await Promise.all([this.qemu, this.sim].map(async (t) => {
      const link = await t.reset();
      await syncRom(link, t.name);
      this.links[t.name] = link;
    }));
    this.personality = "rom";
  }

  /**
   * Both chips reset, synced and running the uploaded stub; returns the upload's MEM_END reply
   * and hello frame of each. The emulated ROM now and then refuses an upload block after a reset
   * (checksum error); that attempt is repeated from a fresh reset.
   */
  async toStub(): Promise<CaseResult> {
    const sessions = await Promise.all([this.qemu, this.sim].map(async (t) => {
      let lastError: unknown;
      for (let attempt = 0; attempt < 3; attempt++) {
        const link = await t.reset();
        try {
          await syncRom(link, t.name);
          const { memEnd, hello } = await uploadStub(link, this.stub);
          this.links[t.name] = link;
          const s = new Session(link, "rom");
          s.entries.push({ label: "MEM_END", frames: [describeFrame(memEnd.bytes, "rom")] });
          s.entries.push({ label: "hello", frames: hello ? [describeFrame(hello.bytes, "stub")] : [] });
          return s;
        } catch (e) {
          lastError = e;
        }
      }
      throw lastError;
    }));
    this.personality = "stub";
    return { qemu: sessions[0] as Session, sim: sessions[1] as Session };
  }

  /** Runs `c` on both chips concurrently (each on its own link). */
  async run(c: AgreementCase): Promise<CaseResult> {
    const [qemu, sim] = (["qemu", "sim"] as const).map((name) => {
      const link = this.links[name];
      if (!link) throw new Error("call toRom() or toStub() first");
      link.drain();
      return new Session(link, this.personality);
    }) as [Session, Session];
    await Promise.all([c(qemu), c(sim)]);
    return { qemu, sim };
  }

  /** Stops both chips. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.qemu.stop(), this.sim.stop()]);
  }
}
