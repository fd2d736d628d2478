/**
 * The engine end to end: the real Device (`connect`) talking the serial protocol to the virtual chip.
 * Every test checks the end state in the chip's flash and minimality from the chip's own counters.
 */
import { afterEach, describe, expect, it } from "vitest";
import { flash, verify } from "../../src/engine/index.js";
import { EspsyncError, VerifyError } from "../../src/errors.js";
import { costModelForBaud } from "../../src/plan/index.js";
import { dataSet, EXACT, flip, md5, MemoryCache, SECTOR, seededBytes } from "./helpers.js";
import { closeAll, connectSim, erasedSectors, flashCommands } from "./sim-helpers.js";

afterEach(closeAll);

const COST = costModelForBaud(921600, { sameFractionPrior: 1 });
const A = 0x20000;
const B = 0x100000;

function images(): { a: Uint8Array; b: Uint8Array } {
  const a = new Uint8Array(40 * SECTOR).fill(0x33);
  a.set(seededBytes(3, 10 * SECTOR), 5 * SECTOR);
  const b = seededBytes(4, 6 * SECTOR);
  return { a, b };
}

describe("flash on the virtual chip", () => {
  it("writes a set once, then nothing: no erase, no program, no FLASH_* command, one digest per region", async () => {
    const { a, b } = images();
    const set = dataSet([{ addr: A, bytes: a }, { addr: B, bytes: b }]);
    const cache = new MemoryCache();
    const first = await connectSim();
    await flash({ device: first.device, images: set, cache });
    const bytes = first.chip.flash.bytes;
    expect(Buffer.compare(bytes.subarray(A, A + a.length), a)).toBe(0);
    expect(Buffer.compare(bytes.subarray(B, B + b.length), b)).toBe(0);
    expect(first.chip.flash.counters.bytesProgrammed).toBe(a.length + b.length);

    const second = await connectSim(undefined, first.chip);
    const result = await flash({ device: second.device, images: set, cache });
    const c = second.chip.flash.counters;
    expect({ sectorsErased: c.sectorsErased, blocksErased: c.blocksErased, bytesProgrammed: c.bytesProgrammed }).toEqual({ sectorsErased: 0, blocksErased: 0, bytesProgrammed: 0 });
    expect(flashCommands(second.chip)).toEqual({});
    expect(c.commands.SPI_FLASH_MD5).toBe(2);
    expect(result.regions.map((r) => [r.outcome, r.verifiedMd5])).toEqual([["skip", md5(a)], ["skip", md5(b)]]);
    // Two digest requests and their replies: a few hundred bytes on the wire.
    expect(c.bytesFromHost).toBeLessThan(200);
  });

  it("writes exactly the differing sectors (selective), erase-only where the target is blank", async () => {
    const { a } = images();
    const rig = await connectSim();
    rig.chip.flash.bytes.set(a, A);
    const target = Uint8Array.from(a);
    flip(target, 7 * SECTOR + 5, 1);
    flip(target, 30 * SECTOR + 5, 1);
    target.fill(0xff, 20 * SECTOR, 21 * SECTOR);
    // Through the stub, which has ERASE_REGION (the planner would write two sectors through the ROM).
    const result = await flash({ device: rig.device, images: dataSet([{ addr: A, bytes: target }]), cost: COST, planOptions: EXACT, writeLoader: "stub" });
    expect(Buffer.compare(rig.chip.flash.bytes.subarray(A, A + target.length), target)).toBe(0);
    expect(erasedSectors(rig.chip)).toEqual([A + 7 * SECTOR, A + 20 * SECTOR, A + 30 * SECTOR]);
    expect(rig.chip.flash.counters.bytesProgrammed).toBe(2 * SECTOR);
    expect(rig.chip.flash.counters.commands.ERASE_REGION).toBe(1);
    expect(result.regions[0]).toMatchObject({ outcome: "selective", sectorsWritten: 2, sectorsErasedOnly: 1, verifiedMd5: md5(target) });
  });

  it("dry run writes nothing and carries the plan", async () => {
    const { a } = images();
    const rig = await connectSim();
    const result = await flash({ device: rig.device, images: dataSet([{ addr: A, bytes: a }]), dryRun: true });
    expect(result.plan.regions[0]?.outcome).toBe("full");
    expect(flashCommands(rig.chip)).toEqual({});
    expect(rig.chip.flash.counters.bytesProgrammed + rig.chip.flash.counters.sectorsErased + rig.chip.flash.counters.blocksErased).toBe(0);
  });

  it("noDelta writes every sector without asking a digest first", async () => {
    const { a } = images();
    const rig = await connectSim();
    rig.chip.flash.bytes.set(a, A);
    const result = await flash({ device: rig.device, images: dataSet([{ addr: A, bytes: a }]), noDelta: true });
    expect(rig.chip.flash.counters.bytesProgrammed).toBe(a.length);
    expect(erasedSectors(rig.chip)).toEqual(Array.from({ length: 40 }, (_, i) => A + i * SECTOR));
    expect(rig.chip.flash.counters.commands.SPI_FLASH_MD5).toBe(1); // the verification
    expect(rig.chip.flash.log.findIndex((e) => e.op === "SPI_FLASH_MD5")).toBeGreaterThan(rig.chip.flash.log.findIndex((e) => e.kind === "program"));
    expect(result.regions[0]?.verifiedMd5).toBe(md5(a));
  });

  it("eraseAll erases the chip first, then writes", async () => {
    const { a } = images();
    const rig = await connectSim();
    rig.chip.flash.bytes.fill(0x00, 0x300000, 0x301000);
    await flash({ device: rig.device, images: dataSet([{ addr: A, bytes: a }]), eraseAll: true });
    // The first command that touches the flash (the stub's upload and start-up come before it).
    const ops = rig.chip.flash.log.filter((e) => e.kind === "command" && /FLASH|ERASE|MD5/.test(e.op ?? "")).map((e) => e.op);
    expect(ops[0]).toBe("ERASE_FLASH");
    expect(rig.chip.flash.counters.commands.ERASE_FLASH).toBe(1);
    expect(rig.chip.flash.bytes.subarray(0x300000, 0x301000).every((x) => x === 0xff)).toBe(true);
    expect(Buffer.compare(rig.chip.flash.bytes.subarray(A, A + a.length), a)).toBe(0);
    expect(rig.chip.flash.log.findIndex((e) => e.op === "SPI_FLASH_MD5")).toBeGreaterThan(rig.chip.flash.log.findIndex((e) => e.kind === "program"));
  });

  it("a bad digest after writing: rewrite once, then VerifyError naming the range and both digests", async () => {
    const { a } = images();
    const rig = await connectSim();
    // Flip the first MD5 byte of the 1st and 2nd SPI_FLASH_MD5 replies (8-byte header, then the digest).
    rig.chip.faults.add({ kind: "corrupt-response", op: 0x13, nth: 1, byteIndex: 8 });
    rig.chip.faults.add({ kind: "corrupt-response", op: 0x13, nth: 2, byteIndex: 8 });
    const err = await flash({ device: rig.device, images: dataSet([{ addr: A, bytes: a }]), noDelta: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifyError);
    const wrong = Buffer.from(md5(a), "hex");
    wrong[0] = (wrong[0] as number) ^ 0xff;
    expect(err).toMatchObject({ code: "VERIFY_MISMATCH", addr: A, sizeBytes: a.length, expected: md5(a), actual: wrong.toString("hex") });
    expect((err as VerifyError).message).toContain("0x00020000..0x00048000");
    // Written twice, then given up.
    expect(rig.chip.flash.counters.bytesProgrammed).toBe(2 * a.length);
    expect(rig.chip.flash.counters.commands.SPI_FLASH_MD5).toBe(2);
  });

  it("a bad digest once: the rewrite verifies and the flash succeeds", async () => {
    const { a } = images();
    const rig = await connectSim();
    rig.chip.faults.add({ kind: "corrupt-response", op: 0x13, nth: 1, byteIndex: 8 });
    const result = await flash({ device: rig.device, images: dataSet([{ addr: A, bytes: a }]), noDelta: true });
    expect(result.totals.rewrites).toBe(1);
    expect(rig.chip.flash.counters.bytesProgrammed).toBe(2 * a.length);
    expect(result.regions[0]?.verifiedMd5).toBe(md5(a));
  });

  it("flash encryption on: refuses before touching flash", async () => {
    const rig = await connectSim("sim:esp32c3?flash=4MB&seed=1&encrypted=1");
    const { b } = images();
    for (const noDelta of [false, true]) {
      const err = await flash({ device: rig.device, images: dataSet([{ addr: B, bytes: b }], "esp32c3"), noDelta }).catch((e: unknown) => e);
      expect((err as EspsyncError).code).toBe("FLASH_ENCRYPTED");
    }
    expect(flashCommands(rig.chip)).toEqual({});
    expect(rig.chip.flash.counters.commands.SPI_FLASH_MD5 ?? 0).toBe(0);
  });

  it("Secure Download Mode: refuses delta; noDelta writes whole, uncompressed and unverified", async () => {
    const rig = await connectSim("sim:esp32c3?flash=4MB&seed=1&sdm=1");
    const { b } = images();
    const set = dataSet([{ addr: B, bytes: b }], "esp32c3");
    const err = await flash({ device: rig.device, images: set }).catch((e: unknown) => e);
    expect((err as EspsyncError).code).toBe("SECURE_DOWNLOAD_MODE");
    expect(flashCommands(rig.chip)).toEqual({});
    const warnings: string[] = [];
    const result = await flash({ device: rig.device, images: set, noDelta: true, onEvent: (e) => (e.type === "warning" ? warnings.push(e.message) : undefined) });
    expect(Buffer.compare(rig.chip.flash.bytes.subarray(B, B + b.length), b)).toBe(0);
    expect(rig.chip.flash.counters.commands.SPI_FLASH_MD5 ?? 0).toBe(0);
    expect(Object.keys(flashCommands(rig.chip)).sort()).toEqual(["FLASH_BEGIN", "FLASH_DATA"]);
    expect(result.regions[0]?.verifiedMd5).toBeUndefined();
    expect(warnings.join(" ")).toMatch(/Secure Download Mode/);
  });

  it("verify lists the differing sectors and writes nothing", async () => {
    const { a } = images();
    const rig = await connectSim();
    rig.chip.flash.bytes.set(a, A);
    flip(rig.chip.flash.bytes, A + 12 * SECTOR, 0xff);
    flip(rig.chip.flash.bytes, A + 39 * SECTOR + 4095, 0xff);
    const result = await verify({ device: rig.device, images: dataSet([{ addr: A, bytes: a }]) });
    expect(result.regions[0]?.differingSectorAddrs).toEqual([A + 12 * SECTOR, A + 39 * SECTOR]);
    expect(result.ok).toBe(false);
    expect(flashCommands(rig.chip)).toEqual({});
  });
});
