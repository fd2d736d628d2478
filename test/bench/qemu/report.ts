/**
 * Plain-text rendering of the QEMU benchmark: one table per scenario (every strategy plus the floor
 * row with its pieces); the target checks are rendered by the simulator bench's report.
 */
import { bytes, pad } from "../report.js";
import type { MeasuredRun, QemuScenarioResult } from "./bench.js";
import { describeFloor } from "./floor.js";
import type { SkippedQemuScenario } from "./scenarios.js";
import type { WireFigures } from "./session.js";
import type { Startup } from "./startup.js";

const HEAD = ["", "strategy", "time s", "x full", "x floor", "to chip", "from chip", "sect wr", "flash B", "erased", "conns", "detail"];
const WIDTHS = [2, 15, 8, 7, 7, 8, 9, 7, 8, 6, 5, 0];

const ratio = (x: number | undefined): string => (x === undefined ? "" : x.toFixed(3));

function cells(strategy: string, seconds: string, vsFull: string, vsFloor: string, w: WireFigures, detail: string): string {
  const wire = [bytes(w.toChipBytes), bytes(w.fromChipBytes), String(w.sectorsWritten), bytes(w.flashBytesBegun), String(w.sectorsErased), String(w.connections)];
  return pad(["", strategy, seconds, vsFull, vsFloor, ...wire, detail], WIDTHS);
}

function runRow(r: MeasuredRun): string {
  if (!r.valid) return cells(r.strategy, "—", "", "", r.wire, `INVALID: ${r.error}`);
  return cells(r.strategy, r.seconds.toFixed(2), ratio(r.vsFull), ratio(r.vsFloor), r.wire, r.detail);
}

function floorRow(s: QemuScenarioResult): string {
  const { floor, floorRun } = s;
  if (floor === undefined) return cells("floor", "—", "", "", floorRun.wire, `INVALID: ${floorRun.error}`);
  const full = s.runs.find((r) => r.strategy === "full" && r.valid)?.seconds;
  return cells("floor", floor.timeS.toFixed(2), full === undefined ? "" : ratio(floor.timeS / full), "1.000", floorRun.wire, `${describeFloor(floor)}; its child ran ${floorRun.childSeconds.toFixed(2)} s`);
}

function table(s: QemuScenarioResult): string[] {
  const lines = [`== ${s.id}: ${s.title}  (${s.differingSectors} of ${s.targetSectors} sectors differ)`];
  const w = s.warmRecord;
  if (w !== undefined && (!w.valid || w.sectorsWritten > 0 || w.note !== undefined)) {
    const what = !w.valid ? `FAILED: ${w.error}` : `wrote ${w.sectorsWritten} sectors`;
    lines.push(`   warm cache recorded: ${what}${w.note ? `; ${w.note}` : ""}`);
  }
  lines.push(pad(HEAD, WIDTHS), ...s.runs.map(runRow), floorRow(s));
  return lines;
}

/** The header, every scenario's table and the skipped scenarios. */
export function renderQemuResults(results: readonly QemuScenarioResult[], skipped: readonly SkippedQemuScenario[], startup: Startup | undefined): string {
  const lines = [
    "ESP32 under QEMU (real mask ROM and flasher stub), 921600 baud over socket:// through a counting proxy.",
    "time s: wall clock of the whole command (a child process from spawn to exit, connect included), one run each;",
    "  QEMU is not silicon: compare the ratios within this run, not the absolute times.",
    "to/from chip: raw bytes on the wire; sect wr: 4 KiB sectors covered by FLASH_BEGIN/FLASH_DEFL_BEGIN;",
    "  flash B: bytes those begins announced (uncompressed); erased: sectors by ERASE_REGION; conns: TCP connections.",
    "floor: start-up (espsync --version) + connect + stub upload + one digest per image (stub) + writing only the",
    "  differing sectors (compressed, per run), each piece measured in this run; time s of the floor row is their sum.",
  ];
  if (startup !== undefined) lines.push(`start-up piece: ${startup.medianS.toFixed(3)} s (median of ${startup.samplesS.map((x) => x.toFixed(3)).join(", ")})`);
  for (const s of results) lines.push("", ...table(s));
  if (skipped.length) lines.push("", ...skipped.map((k) => `SKIPPED ${k.id}: ${k.reason}`));
  return lines.join("\n");
}
