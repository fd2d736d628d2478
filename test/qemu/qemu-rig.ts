/**
 * The rig a QEMU test file drives: one emulated chip, a counting proxy in front of its UART, and
 * a way to run espsync sessions against it. Every session goes through the proxy with
 * `--before no-reset --after no-reset` (TCP has no reset lines), and every session starts with a
 * `system_reset` through the QEMU monitor: a session leaves the flasher stub running (at the
 * changed baud divisor), and each session must meet the ROM loader, as after a power-up.
 *
 * Set ESPSYNC_QEMU_TRACE_DIR to a directory to run every session with `--trace` and keep its stderr
 * there (one file per session), for looking into a failure after the fact.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEspsync, type EspsyncExit } from "./espsync-process.js";
import type { QemuChip } from "./qemu-env.js";
import { startQemu, type QemuInstance, type StartOptions } from "./qemu-instance.js";
import { startWireCounter, type WireCounter } from "./wire-counter.js";
import { formatWire, type WireCounts } from "./wire-tally.js";

/** One espsync session: how the process ended and what crossed the wire meanwhile. */
export interface Session extends EspsyncExit {
  readonly wire: WireCounts;
}

/** A session still running (see {@link QemuRig.start}). */
export interface RunningSession {
  /** SIGKILLs the espsync process. */
  kill(): void;
  readonly done: Promise<Session>;
}

/** Per-session choices beyond the command line. */
export interface SessionOptions {
  /** Environment on top of the rig's (e.g. another ESPSYNC_CACHE_DIR than the rig's own). */
  readonly env?: Readonly<Record<string, string>>;
  /** A node entry to run instead of the espsync CLI, given the same arguments (see espsync-process.ts). */
  readonly script?: string;
}

/** A chip under QEMU with a counting proxy in front of it. */
export interface QemuRig {
  readonly qemu: QemuInstance;
  readonly wire: WireCounter;
  /** Runs `espsync <command> <args> -p … --before no-reset --after no-reset <connection args>`. */
  run(label: string, command: readonly string[], timeoutMs: number, options?: SessionOptions): Promise<Session>;
  /** Like {@link run}, without waiting for the end. */
  start(label: string, command: readonly string[], timeoutMs: number, options?: SessionOptions): Promise<RunningSession>;
  /** Stops QEMU and the proxy; removes the temporary files. */
  stop(): Promise<void>;
}

/** Options for {@link startRig}. */
export interface RigOptions extends StartOptions {
  /** Appended to every espsync command line, e.g. `--baud 921600` or `--no-stub`. */
  readonly connection: readonly string[];
  /** Where the one line per session goes (default: console.log). */
  readonly log?: (line: string) => void;
}

/** Boots `chip` under QEMU and puts a counting proxy in front of it. */
export async function startRig(chip: QemuChip, options: RigOptions): Promise<QemuRig> {
  const qemu = await startQemu(chip, options);
  const wire = await startWireCounter(qemu.port).catch(async (e: unknown) => {
    await qemu.stop();
    throw e;
  });
  // The digest cache is keyed by the chip's MAC; keep it per rig so runs never see another's.
  const cacheDir = mkdtempSync(path.join(tmpdir(), "espsync-qemu-cache-"));
  let sessions = 0;
  const traceDir = process.env.ESPSYNC_QEMU_TRACE_DIR;

  const log = options.log ?? ((line: string): void => console.log(line));
  const start = async (label: string, command: readonly string[], timeoutMs: number, session: SessionOptions = {}): Promise<RunningSession> => {
    // Every session, the first too, meets a freshly reset ROM loader that has printed its banner.
    sessions++;
    await qemu.reset();
    wire.take(); // nothing from before this session counts
    const args = [...command, "-p", `socket://127.0.0.1:${wire.port}`, "--before", "no-reset", "--after", "no-reset", ...options.connection];
    if (traceDir) args.push("--trace");
    const n = sessions;
    const { child, done } = startEspsync(args, { timeoutMs, env: { ESPSYNC_CACHE_DIR: cacheDir, ...session.env }, ...(session.script !== undefined && { script: session.script }) });
    return {
      kill: () => child.kill("SIGKILL"),
      done: done.then((exit) => {
        const counts = wire.take();
        if (traceDir) writeFileSync(path.join(traceDir, `${chip}-${qemu.port}-${n}-${label.replace(/[^\w.-]+/g, "_")}.log`), exit.stderr);
        log(`[qemu ${chip}] ${label}: exit ${exit.exit ?? exit.signal} in ${(exit.durationMs / 1000).toFixed(1)} s; wire: ${formatWire(counts)}`);
        return { ...exit, wire: counts };
      }),
    };
  };

  return {
    qemu,
    wire,
    start,
    run: async (label, command, timeoutMs, session) => (await start(label, command, timeoutMs, session)).done,
    async stop() {
      await wire.close();
      await qemu.stop();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
