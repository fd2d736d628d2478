/**
 * Every command in README.md, run as written. The commands are read out of the README itself (so an
 * edit there is tested as it stands) and run in a fresh working directory per section, on a machine
 * whose serial ports are virtual chips and whose README host names are this one (readme-world.ts).
 * Each section's end state is checked: what the boards' flash holds, what the commands reported,
 * and that running a flash again writes nothing. Other tools' commands (the user's build step,
 * systemctl) are listed with the reason they are not run; QEMU's section runs in test/qemu.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hasSer2net, startSer2netConfig } from "../adapters/rfc2217/ser2net.js";
import { hasSocat } from "../adapters/serial/pty-pair.js";
import { flashChangingCommands, FIRMWARE_DIR, HAS_FIRMWARE, NO_FIRMWARE, ROOT } from "../cli/sim-rig.js";
import { startSimProcess, type SimProcess } from "../e2e/sim-process.js";
import type { VirtualChip } from "../../adapters/index.js";
import { COMMAND_LANGS, readmeBlocks } from "./readme-blocks.js";
import { espsyncArgs, runCommand } from "./readme-runner.js";
import { expectHolds, NOT_RUN, NPM_NOT_RUN, only, resultsOf, runSection, section } from "./readme-sections.js";
import { helloWorld, idfBuild, idfBuildImages, imageLength, ReadmeWorld, SINGLE_APP_CSV } from "./readme-world.js";

/** Sections whose commands run here (or in test/qemu). */
const SECTIONS = [
  "Set up (two commands)",
  "A 30-second tour on the virtual chip",
  "ESP-IDF build",
  "Arduino-CLI / PlatformIO",
  "Rust (esp-hal) or any app ELF",
  "Merged image (e.g. MicroPython)",
  "CI job with an attached board",
  "Boards on another host (`espsync serve`)",
  "Boards on another host (ser2net, RFC 2217)",
  "Espressif's QEMU (the chips' real mask ROMs)",
  "Several boards at once",
  "Smoke test after flashing",
];

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("README.md", () => {
  it("every section with commands is run by a test; other tools' commands are named with the reason", () => {
    const withCommands = new Set(readmeBlocks().filter((b) => COMMAND_LANGS.includes(b.lang)).map((b) => b.title));
    expect([...withCommands].sort()).toEqual([...SECTIONS].sort());
    for (const title of SECTIONS) {
      for (const command of section(title, { BOARD_PORT: "/dev/ttyACM0" })) {
        if (espsyncArgs(command) !== undefined) continue;
        if (command.argv[0] === "npm") expect(["run", ...Object.keys(NPM_NOT_RUN)]).toContain(command.argv[1]);
        else expect(Object.keys(NOT_RUN), command.source).toContain(command.argv[0]);
      }
    }
  });

  it("every flash file the README's commands and `npm run demo` create is ignored by git", () => {
    const commands = SECTIONS.flatMap((title) => section(title, { BOARD_PORT: "/dev/ttyACM0" })).map((c) => c.argv.join(" "));
    const demo = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.demo ?? "";
    const files = [...new Set([...commands, demo].flatMap((text) => [...text.matchAll(/(?:[?&]file=|--flash-file )([^\s&"']+)/g)].map((m) => m[1]!)))];
    expect(files.sort()).toEqual(["sim-flash/board.bin", "sim-flash/demo.bin", "sim-flash/served.bin"]);
    const ignored = spawnSync("git", ["check-ignore", ...files], { cwd: ROOT, encoding: "utf8" });
    expect(ignored.stdout.trim().split("\n")).toEqual(files);
  });
});

describe("README: the virtual chip", () => {
  it("Set up: `npm run demo` erases, flashes and re-flashes a simulated ESP32-C3 whose flash stays in sim-flash/", async () => {
    const w = new ReadmeWorld();
    const results = await runSection(w, "Set up (two commands)");
    const demo = only(results, /npm run demo/);
    expect(demo.stdout + demo.stderr).toMatch(/Nothing to write: the flash already holds the images/);
    expectHolds(readFileSync(w.file("sim-flash/demo.bin")), DEMO_IMAGES());
  }, 60_000);

  it("the tour: info, flash (three regions), flash again (nothing), verify, monitor, image-info, partitions; a served chip flashed over TCP", async () => {
    const w = new ReadmeWorld();
    const results = await runSection(w, "A 30-second tour on the virtual chip");
    const [first, second] = resultsOf(results, /^npx espsync flash -p "\$B"/, 2);
    expect(first!.stdout).toMatch(/bootloader\.bin at 0x00000000: full/);
    expect(first!.stdout).toMatch(/partition-table\.bin at 0x00008000: full/);
    expect(first!.stdout).toMatch(/espsync-demo\.bin at 0x00010000: full/);
    expect(second!.stdout).toMatch(/^Nothing to write/m);
    expect(only(results, /espsync info/).stdout).toMatch(/^Chip +esp32c3$/m);
    expect(only(results, /espsync verify/).stdout).toMatch(/espsync-demo\.bin at 0x00010000: matches/);
    expect(only(results, /espsync monitor/).stdout).toMatch(/--- matched: .*Project name: +espsync-demo/);
    expect(only(results, /espsync image-info/).stdout).toMatch(/espsync-demo/);
    expect(only(results, /espsync partitions/).stdout).toMatch(/factory/);
    expectHolds(readFileSync(w.file("sim-flash/board.bin")), DEMO_IMAGES());
    // The second block: `espsync sim --listen 127.0.0.1:5555` in the background, flashed through raw TCP.
    expect(only(results, /socket:\/\/127\.0\.0\.1:5555/).stdout).toMatch(/espsync-demo\.bin at 0x00010000: full/);
    expectHolds(readFileSync(w.file("sim-flash/served.bin")), DEMO_IMAGES());
  }, 60_000);
});

/** The demo build's partition table and app as its files hold them. */
function DEMO_IMAGES(): Array<{ addr: number; bytes: Uint8Array }> {
  return [
    { addr: 0x8000, bytes: readFileSync(path.join(ROOT, "fixtures/demo/partition-table.bin")) },
    { addr: 0x10000, bytes: readFileSync(path.join(ROOT, "fixtures/demo/espsync-demo.bin")) },
  ];
}

/** Flash-changing commands the boards received so far, per board. */
function writesOf(boards: readonly VirtualChip[]): number[] {
  return boards.map(flashChangingCommands);
}

/** Runs the section's `flash` commands once more: not one flash-changing command may reach the boards. */
async function expectRerunWritesNothing(w: ReadmeWorld, title: string, boards: readonly VirtualChip[]): Promise<void> {
  const before = writesOf(boards);
  for (const command of section(title, w.env).filter((c) => espsyncArgs(c)?.[0] === "flash")) {
    const again = await runCommand(w, command);
    expect(again.code, again.stderr).toBe(0);
  }
  expect(writesOf(boards)).toEqual(before);
}

const firmware = (...parts: string[]): string => path.join(FIRMWARE_DIR, ...parts);
/** The SHA-256 of the image espsync (and esptool 5.3.1, out of band) makes from espflash's esp32c3.elf; see test/image/elf-real-firmware.test.ts. */
const C3_ELF_IMAGE_SHA256 = "63624cb274c9a8bf6669e1f824f04332a86769cf0b8a4052b1e0b2cf1a5bbeec";

describe.skipIf(!HAS_FIRMWARE)(`README recipes on virtual boards with real builds (skipped when ${NO_FIRMWARE})`, () => {
  it("ESP-IDF build: `flash -p /dev/ttyUSB0 --build build` writes hello_world; the same again writes nothing", async () => {
    const w = new ReadmeWorld();
    const board = w.plug("/dev/ttyUSB0", "esp32c3");
    idfBuild(w);
    const results = await runSection(w, "ESP-IDF build");
    expect(only(results, /--build build/).stdout).toMatch(/hello_world\.bin at 0x00010000: full/);
    expectHolds(board.flash.bytes, idfBuildImages());
    await expectRerunWritesNothing(w, "ESP-IDF build", [board]);
  }, 60_000);

  it("Arduino-CLI / PlatformIO: `-p auto` finds the one ESP board; the sketch's build, then the PlatformIO environment's", async () => {
    const w = new ReadmeWorld();
    const board = w.plug("/dev/ttyUSB0", "esp32c3");
    const sketch = helloWorld("esp32c3");
    w.put("build/sketch.ino.bootloader.bin", sketch.bootloader);
    w.put("build/sketch.ino.partitions.bin", sketch.table);
    w.put("build/sketch.ino.bin", sketch.app);
    // An older build of the same app in the PlatformIO project: the second flash has something to do.
    w.write("platformio.ini", "[env:esp32-c3-devkitm-1]\nplatform = espressif32\nboard = esp32-c3-devkitm-1\nframework = espidf\n");
    const pio = firmware("idf-hello-v5.1", "esp32c3");
    w.put(".pio/build/esp32-c3-devkitm-1/bootloader.bin", path.join(pio, "bootloader.bin"));
    w.put(".pio/build/esp32-c3-devkitm-1/partitions.bin", path.join(pio, "partition-table.bin"));
    w.put(".pio/build/esp32-c3-devkitm-1/firmware.bin", path.join(pio, "hello_world.bin"));
    const results = await runSection(w, "Arduino-CLI / PlatformIO");
    expect(only(results, /--build build/).stdout).toMatch(/sketch\.ino\.bin at 0x00010000: full/);
    expect(only(results, /--build \./).stdout).toMatch(/firmware\.bin at 0x00010000: (selective|full)/);
    expectHolds(board.flash.bytes, [
      { addr: 0x8000, bytes: readFileSync(path.join(pio, "partition-table.bin")) },
      { addr: 0x10000, bytes: readFileSync(path.join(pio, "hello_world.bin")) },
    ]);
  }, 60_000);

  it("Rust (esp-hal): the ELF goes to 0x10000 on an empty board, then with -T partitions.csv -B bootloader.bin into the table's factory partition", async () => {
    const w = new ReadmeWorld();
    const board = w.plug("/dev/ttyUSB0", "esp32c3");
    w.put("target/riscv32imc-unknown-none-elf/release/app", firmware("espflash", "elf", "esp32c3.elf"));
    w.put("app.elf", firmware("espflash", "elf", "esp32c3.elf"));
    w.put("bootloader.bin", firmware("espflash", "bootloaders", "esp32c3-bootloader.bin"));
    w.write("partitions.csv", SINGLE_APP_CSV);
    const results = await runSection(w, "Rust (esp-hal) or any app ELF");
    const app = board.flash.bytes.subarray(0x10000);
    expect(createHash("sha256").update(app.subarray(0, imageLength(app))).digest("hex")).toBe(C3_ELF_IMAGE_SHA256);
    // The second flash finds the app in place and writes the table and the bootloader only.
    expect(only(results, /-T partitions\.csv/).stdout).toMatch(/0x00010000: skipped/);
    expectHolds(board.flash.bytes, [{ addr: 0x0, bytes: readFileSync(w.file("bootloader.bin")) }]);
    expect([...board.flash.bytes.subarray(0x8000, 0x8002)]).toEqual([0xaa, 0x50]);
    expect(Buffer.from(board.flash.bytes.subarray(0x8000, 0x8100)).toString("latin1")).toMatch(/nvs.*phy_init.*factory/s);
    expect(only(results, /espsync image-info/).stdout).toMatch(/esp32c3/i);
    await expectRerunWritesNothing(w, "Rust (esp-hal) or any app ELF", [board]);
  }, 60_000);

  it("Merged image (MicroPython): image-info, then the whole image at 0x1000 of an ESP32", async () => {
    const w = new ReadmeWorld();
    const board = w.plug("/dev/ttyUSB0", "esp32");
    w.put("firmware.bin", firmware("micropython-esp32", "build-0484727.bin"));
    const results = await runSection(w, "Merged image (e.g. MicroPython)");
    expect(only(results, /image-info firmware\.bin/).stdout).toMatch(/esp32/i);
    expectHolds(board.flash.bytes, [{ addr: 0x1000, bytes: readFileSync(w.file("firmware.bin")) }]);
    await expectRerunWritesNothing(w, "Merged image (e.g. MicroPython)", [board]);
  }, 90_000);

  it("CI job: flash --json > flash.json, monitor --expect, and both in one step, on $BOARD_PORT", async () => {
    const w = new ReadmeWorld();
    w.env.BOARD_PORT = "/dev/ttyACM0";
    const board = w.plug("/dev/ttyACM0", "esp32c3");
    idfBuild(w);
    const results = await runSection(w, "CI job with an attached board");
    const report = JSON.parse(readFileSync(w.file("flash.json"), "utf8")) as { ok: boolean; boards: Array<{ port: string; result: { regions: Array<{ outcome: string }> } }> };
    expect(report.ok).toBe(true);
    expect(report.boards.map((b) => b.port)).toEqual(["/dev/ttyACM0"]);
    expect(report.boards[0]!.result.regions.map((r) => r.outcome)).toEqual(["full", "full", "full"]);
    expect(only(results, /espsync monitor/).stdout).toMatch(/--- matched: .*Project name: +hello_world/);
    const oneStep = only(results, /--monitor/);
    expect(oneStep.stdout).toMatch(/^Nothing to write/m);
    expect(oneStep.stdout).toMatch(/Project name: +hello_world/);
    expectHolds(board.flash.bytes, idfBuildImages());
  }, 60_000);

  it("espsync serve: the systemd unit's command shares /dev/ttyUSB0 on port 4000; the CI job flashes and monitors through rfc2217://boardhost:4000", async () => {
    const w = new ReadmeWorld();
    const board = w.plug("/dev/ttyUSB0", "esp32c3");
    idfBuild(w);
    w.route("boardhost");
    const results = await runSection(w, "Boards on another host (`espsync serve`)");
    expect(only(results, /flash -p rfc2217:\/\/boardhost:4000/).stdout).toMatch(/hello_world\.bin at 0x00010000: full/);
    expect(only(results, /monitor -p rfc2217:\/\/boardhost:4000/).stdout).toMatch(/--- matched: .*Project name: +hello_world/);
    expectHolds(board.flash.bytes, idfBuildImages());
  }, 60_000);

  it.skipIf(!hasSer2net || !hasSocat)("ser2net: the README's ser2net.yaml in front of two boards; RFC 2217 on 4000 (with resets), raw TCP on 4001 (board in download mode)", async () => {
    const w = new ReadmeWorld();
    idfBuild(w);
    w.route("lab-host");
    const sims: SimProcess[] = [];
    cleanups.push(() => Promise.all(sims.map((s) => s.stop())));
    for (const name of ["board1", "board2"]) sims.push(await startSimProcess(["--chip", "esp32c3", "--pty"], 1, w.file(`${name}.bin`)));
    const config = readmeBlocks().find((b) => b.title === "Boards on another host (ser2net, RFC 2217)" && b.lang === "yaml")!.text;
    // The devices are the virtual boards' pseudo-terminals; everything else is the README's file.
    const local = config.replace("/dev/ttyUSB0", sims[0]!.addresses[0]!).replace("/dev/ttyUSB1", sims[1]!.addresses[0]!);
    writeFileSync(w.file("ser2net.yaml"), local);
    const ser2net = await startSer2netConfig(w.file("ser2net.yaml"), 4000);
    cleanups.push(() => ser2net.close());
    const results = await runSection(w, "Boards on another host (ser2net, RFC 2217)");
    expect(only(results, /rfc2217:\/\/lab-host:4000/).stdout).toMatch(/hello_world\.bin at 0x00010000: full/);
    expect(only(results, /socket:\/\/lab-host:4001/).stdout).toMatch(/hello_world\.bin at 0x00010000: full/);
    for (const sim of sims.splice(0)) expectHolds(await sim.stop(), idfBuildImages());
  }, 90_000);

  it("several boards: three by path with --json, then two by USB serial number and MAC (nothing left to write)", async () => {
    const w = new ReadmeWorld();
    const boards = [
      w.plug("/dev/ttyUSB0", "esp32c3", { serialNumber: "0001" }),
      w.plug("/dev/ttyUSB1", "esp32c3", { serialNumber: "0002", mac: "24:0a:c4:12:34:56" }),
      w.plug("/dev/ttyUSB2", "esp32c3", { serialNumber: "0003" }),
    ];
    idfBuild(w);
    const results = await runSection(w, "Several boards at once");
    const report = JSON.parse(only(results, /--json/).stdout) as { ok: boolean; boards: Array<{ port: string }> };
    expect(report.ok).toBe(true);
    expect(report.boards.map((b) => b.port)).toEqual(["/dev/ttyUSB0", "/dev/ttyUSB1", "/dev/ttyUSB2"]);
    const byIdentity = only(results, /serial:0001/);
    expect(byIdentity.stdout.match(/Nothing to write/g)).toHaveLength(2);
    expect(byIdentity.stdout).toMatch(/\/dev\/ttyUSB1/);
    expect(byIdentity.stdout).not.toMatch(/\/dev\/ttyUSB2/);
    for (const board of boards) expectHolds(board.flash.bytes, idfBuildImages());
  }, 60_000);

  it("smoke test: flash, then the app's start line is seen on the console", async () => {
    const w = new ReadmeWorld();
    const board = w.plug("/dev/ttyUSB0", "esp32c3");
    idfBuild(w);
    const results = await runSection(w, "Smoke test after flashing");
    expect(only(results, /--monitor/).stdout).toMatch(/--- matched: .*main_task: Calling app_main/);
    expectHolds(board.flash.bytes, idfBuildImages());
  }, 60_000);
});
