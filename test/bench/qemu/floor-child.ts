/**
 * Measures the floor's pieces (see floor.ts) in one process, with timestamps around espsync's
 * library calls: connect, the stub upload (a 4-byte read uploads it; an identical second read is
 * timed too so the read itself can be taken off), one digest per target image, and the writes of
 * only the differing sectors. Everything the host can prepare (reading the job, deflating) is done
 * before connecting. Prints {@link FloorTimes} as one JSON line on stdout.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { deflateSync } from "node:zlib";
import { connect, openPort } from "../../../src/index.js";
import { placed } from "../../qemu/firmware-images.js";
import { SECTOR_BYTES } from "../../qemu/wire-tally.js";
import { parseChildArgs, runChild } from "./child-args.js";
import { floorWrites, type FloorJob, type FloorTimes } from "./floor.js";

/** Milliseconds `op` took. */
async function timed(op: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await op();
  return performance.now() - t0;
}

runChild(async () => {
  const args = parseChildArgs(process.argv.slice(2));
  if (args.job === undefined) throw new Error("--job FILE is required");
  const job = JSON.parse(readFileSync(args.job, "utf8")) as FloorJob;
  const target = job.target.map((t) => placed(t.addr, t.file));
  const writes = floorWrites(target, job.differing).map((w) => ({ ...w, compressed: w.eraseOnly ? undefined : deflateSync(w.data, { level: 9 }) }));
  const first = target[0];
  if (first === undefined) throw new Error("the job has no target");

  let device: Awaited<ReturnType<typeof connect>> | undefined;
  const connectMs = await timed(async () => {
    device = await connect(openPort(args.port), { before: args.before, ...(args.baudRate !== undefined && { baudRate: args.baudRate }) });
  });
  const d = device as NonNullable<typeof device>;
  try {
    const firstReadMs = await timed(() => d.read(first.addr, 4));
    const secondReadMs = await timed(() => d.read(first.addr, 4));
    const digestMs = await timed(() => d.md5Many(target.map((p) => ({ addr: p.addr, sizeBytes: p.bytes.length }))));
    const writeMs = await timed(async () => {
      for (const w of writes) {
        if (w.compressed === undefined) await d.eraseRegion(w.addr, w.data.length);
        else await d.write(w.addr, w.data, { compressed: w.compressed });
      }
    });
    await d.finish(args.after);
    const times: FloorTimes = {
      connectMs,
      firstReadMs,
      secondReadMs,
      digestMs,
      writeMs,
      payloadBytes: writes.reduce((n, w) => n + (w.compressed?.length ?? 0), 0),
      writtenSectors: writes.filter((w) => !w.eraseOnly).reduce((n, w) => n + w.data.length / SECTOR_BYTES, 0),
      erasedSectors: writes.filter((w) => w.eraseOnly).reduce((n, w) => n + w.data.length / SECTOR_BYTES, 0),
    };
    process.stdout.write(`${JSON.stringify(times)}\n`);
  } finally {
    await d.close();
  }
});
