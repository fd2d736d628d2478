/**
 * The README's QEMU recipe, as written, against the real ESP32 mask ROM under Espressif's QEMU: the
 * ESP-IDF hello_world build flashed over `socket://127.0.0.1:5555` with `--before no-reset --after
 * no-reset --baud 921600`. The emulator listens on a free port; the README's address reaches it
 * (readme-world.ts) — the command line is the README's. The whole flash is read from QEMU's own
 * flash file afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectHolds, only, runSection } from "../readme/readme-sections.js";
import { idfBuild, idfBuildImages, ReadmeWorld } from "../readme/readme-world.js";
import { qemuUnavailable } from "./qemu-env.js";
import { startQemu, type QemuInstance } from "./qemu-instance.js";

const why = qemuUnavailable("esp32");
const suite = why === undefined ? describe : describe.skip;

suite(`README: Espressif's QEMU recipe on the real ESP32 ROM${why === undefined ? "" : ` (skipped: ${why})`}`, () => {
  let qemu: QemuInstance;
  beforeAll(async () => {
    qemu = await startQemu("esp32");
  }, 60_000);
  afterAll(async () => {
    await qemu?.stop();
  });

  it("`flash -p socket://127.0.0.1:5555 --before no-reset --after no-reset --baud 921600 --build build` writes the build; QEMU's flash holds it", async () => {
    const w = new ReadmeWorld();
    idfBuild(w, "esp32");
    w.route("127.0.0.1:5555", `127.0.0.1:${qemu.port}`);
    await qemu.reset(); // the ROM loader, as the recipe's "strapped to download mode" says
    const results = await runSection(w, "Espressif's QEMU (the chips' real mask ROMs)");
    expect(only(results, /socket:\/\/127\.0\.0\.1:5555/).stdout).toMatch(/hello_world\.bin at 0x00010000: full/);
    await qemu.reset();
    expectHolds(qemu.readFlash(), idfBuildImages("esp32"));
  }, 120_000);
});
