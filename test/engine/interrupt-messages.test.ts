/**
 * What INTERRUPTED says matches the state of the flash: unchanged (the same command starts the
 * job), erased but not yet written, or partly written (the same command finishes the job). A stop
 * before any byte is acknowledged can still have erased flash: a whole-chip erase, or a write run
 * whose begin erases its sectors.
 */
import { describe, expect, it } from "vitest";
import { flash } from "../../src/engine/index.js";
import { EspsyncError } from "../../src/errors.js";
import { costModelForBaud } from "../../src/plan/index.js";
import { FakeDevice } from "./fake-device.js";
import { dataSet, EXACT, SECTOR, seededBytes } from "./helpers.js";

const COST = costModelForBaud(460800, { sameFractionPrior: 1 });
const A = 0x20000;
const SIZE = 8 * SECTOR;
const FINISH = "Running the same command again finishes the job, writing only what is left";

async function interrupted(stopWhen: (event: { type: string; region?: number; doneBytes?: number }) => boolean, eraseAll = false): Promise<EspsyncError> {
  const chip = new Uint8Array(0x80000).fill(0xff);
  chip.set(seededBytes(1, SIZE), A);
  const abort = new AbortController();
  if (stopWhen({ type: "start" })) abort.abort();
  const err = await flash({
    device: new FakeDevice(chip),
    images: dataSet([{ addr: A, bytes: seededBytes(2, SIZE) }]),
    cost: COST,
    planOptions: EXACT,
    eraseAll,
    signal: abort.signal,
    onEvent: (e) => {
      if (stopWhen(e as { type: string })) abort.abort();
    },
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(EspsyncError);
  expect((err as EspsyncError).code).toBe("INTERRUPTED");
  return err as EspsyncError;
}

describe("INTERRUPTED messages", () => {
  it("a stop before anything changed: the flash is unchanged and the same command starts the job", async () => {
    const err = await interrupted((e) => e.type === "start");
    expect(err.message).toBe("flash interrupted: nothing was written: the flash is unchanged. Running the same command again starts the job");
    expect(err.hint).toBe("Run the same command again when you want the images written.");
  });

  it("a stop after the whole-chip erase: the flash was erased, the same command finishes the job", async () => {
    const err = await interrupted((e) => e.type === "erase" && e.region === -1, true);
    expect(err.message).toBe(`flash interrupted: nothing was written yet, but the whole flash was erased. ${FINISH}`);
    expect(err.hint).toBe("Run the same command again; it asks the chip which sectors still differ and writes only those.");
  });

  it("a stop in a write run before its first block: parts may be erased, the same command finishes the job", async () => {
    const err = await interrupted((e) => e.type === "write" && e.doneBytes === 0);
    expect(err.message).toBe(`flash interrupted: stopped in data0.bin at 0x00020000, complete up to 0x00020000; nothing was written yet, but parts of the flash may already be erased. ${FINISH}`);
  });

  it("a stop after some blocks: part of the new images, the same command finishes the job", async () => {
    const err = await interrupted((e) => e.type === "write" && (e.doneBytes ?? 0) >= 0x4000);
    expect(err.message).toBe(`flash interrupted: wrote 16384 of 32768 planned bytes; stopped in data0.bin at 0x00020000, complete up to 0x00024000; the flash now holds part of the new images. ${FINISH}`);
  });
});
