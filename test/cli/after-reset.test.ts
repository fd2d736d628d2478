/**
 * `--after hard-reset` and `--after watchdog-reset` as esptool does them, end to end: espsync's CLI
 * flashes a virtual chip, resets it, and the test reads what crossed the wire (wire-tap.ts) and
 * what the chip printed afterwards. Register addresses and values are written out from esptool's
 * target files (esp32s3.py, esp32c3.py), not taken from espsync's table.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createVirtualChip, parseSimUrl, serveEndpoint, simOptions, type ServedEndpoint, type VirtualChip } from "../../adapters/index.js";
import { installApp } from "../adapters/sim/helpers.js";
import { runCli } from "./helpers.js";
import { cliEnv, recordPorts, tempDir, writeBuild } from "./sim-rig.js";
import { tapChip, waitFor } from "./wire-tap.js";

/** esptool's watchdog_reset on the ESP32-S3: unlock, timeout 2000, enable (1<<31 | 5<<28 | 1<<8 | 2), lock. */
const S3_WATCHDOG = [
  "WRITE_REG 600080b0 50d83aa1 mask ffffffff delay 0",
  "WRITE_REG 6000809c 000007d0 mask ffffffff delay 0",
  "WRITE_REG 60008098 d0000102 mask ffffffff delay 0",
  "WRITE_REG 600080b0 00000000 mask ffffffff delay 0",
];
const S3_WDT_REGS = [0x600080b0, 0x6000809c, 0x60008098];
/** esptool's S3 hard_reset: clear FORCE_DOWNLOAD_BOOT (RTC_CNTL_OPTION1 0x6000812C, mask 1). */
const S3_CLEAR_FORCE = "WRITE_REG 6000812c 00000000 mask 00000001 delay 0";
/** The ESP32-C3's: WDTWPROTECT 0x600080A8, WDTCONFIG1 0x60008094, WDTCONFIG0 0x60008090. */
const C3_WATCHDOG = [
  "WRITE_REG 600080a8 50d83aa1 mask ffffffff delay 0",
  "WRITE_REG 60008094 000007d0 mask ffffffff delay 0",
  "WRITE_REG 60008090 d0000102 mask ffffffff delay 0",
  "WRITE_REG 600080a8 00000000 mask ffffffff delay 0",
];
const RTS_PULSE = ["lines dtr=0 rts=1", "lines dtr=0 rts=0"];
const DATA_OPS = [0x07, 0x03, 0x11];

const servers: ServedEndpoint[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** Flashes a generated build for `chipId` onto `chip` (reached as `url`) with the CLI. */
async function flashWith(url: string, chip: VirtualChip, chipId: number, project: string, extra: string[]) {
  const dir = tempDir();
  const build = writeBuild(dir, { project, chipId });
  const result = await runCli(["flash", "-p", url, ...build.pairs, "--verbose", ...extra], { env: cliEnv(dir), openPort: recordPorts({ [url]: chip }).openPort });
  expect(result.code, result.stderr).toBe(0);
  expect(Buffer.from(chip.flash.bytes.subarray(0x10000, 0x10000 + build.bytes.app.length))).toEqual(Buffer.from(build.bytes.app));
  return result;
}

/** Serves `chip` over raw TCP, as `espsync sim --listen` does; returns its socket:// URL. */
async function serveTcp(chip: VirtualChip): Promise<string> {
  const server = await serveEndpoint(chip, { listen: "127.0.0.1:0" });
  servers.push(server);
  return server.addresses.listen!;
}

describe("--after hard-reset over the ESP32-S3's USB-OTG port", () => {
  it("strapped into download mode: the RTC watchdog resets it as esptool does, no RTS pulse, and the app runs", async () => {
    const url = "sim:esp32s3?usb=otg&boot=download&flash=4MB&seed=4";
    const chip = createVirtualChip(parseSimUrl(url));
    const tap = tapChip(chip);
    const result = await flashWith(url, chip, 9, "otg-app", ["--after", "hard-reset"]);
    expect(result.stdout).toContain("Hard resetting with a watchdog...");
    await waitFor(() => tap.text().includes("Project name:     otg-app"), "the app's start-up line");
    expect(chip.mode).toBe("app");

    // Clear the forced download, read the strap (pin low) and the flag (now clear), arm the watchdog.
    expect(tap.from(S3_CLEAR_FORCE)).toEqual([S3_CLEAR_FORCE, "READ_REG 60004038", "READ_REG 6000812c", ...S3_WATCHDOG]);
    // The watchdog's system reset booted it: nothing pulsed RTS after the session started writing.
    const text = tap.text();
    const boot = text.lastIndexOf("rst:");
    expect(text.slice(boot)).toMatch(/^rst:0x10 \(RTCWDT_RTC_RST\),boot:0x8 \(SPI_FAST_FLASH_BOOT\)[\s\S]*Project name: {5}otg-app/);
    expect(tap.from("OP 7").filter((d) => d.startsWith("lines"))).toEqual([]);
  });

  it("over USB-OTG every data block is at most 0x800 bytes: the stub upload's and the flash writes'", async () => {
    const url = "sim:esp32s3?usb=otg&boot=download&flash=4MB&seed=9";
    const chip = createVirtualChip(parseSimUrl(url));
    const tap = tapChip(chip);
    await flashWith(url, chip, 9, "small-blocks", ["--after", "no-reset-stub"]);
    const blocks = tap.events.filter((e) => e.kind === "request" && DATA_OPS.includes(e.op)).map((e) => (e.kind === "request" ? [e.op, e.data.length - 16] : []));
    expect(blocks.filter(([op]) => op === 0x07).length).toBeGreaterThan(3); // the stub's text and data went up in small blocks
    expect(blocks.filter(([op]) => op !== 0x07).length).toBeGreaterThan(0);
    expect(Math.max(...blocks.map(([, n]) => n as number))).toBe(0x800);
    // The stub wrote the images (FLASH_DEFL_BEGIN announces 0x800-byte blocks).
    const begins = tap.events.filter((e) => e.kind === "request" && e.op === 0x10);
    expect(begins.length).toBeGreaterThan(0);
    for (const b of begins) if (b.kind === "request") expect(new DataView(b.data.buffer, b.data.byteOffset).getUint32(8, true)).toBe(0x800);
  });

  it("started from flash (boot pin high), entered download mode by a forced-download request: RTS resets it", async () => {
    const url = "sim:esp32s3?usb=otg&boot=app&flash=4MB&seed=5";
    const chip = createVirtualChip(parseSimUrl(url));
    const tap = tapChip(chip);
    await flashWith(url, chip, 9, "forced-app", ["--after", "hard-reset"]);
    await waitFor(() => tap.text().includes("Project name:     forced-app"), "the app's start-up line");
    expect(chip.mode).toBe("app");
    // The strap reads high: no watchdog, RTS (held 200 ms over USB) after clearing the flag the reset into download had set.
    expect(tap.from(S3_CLEAR_FORCE)).toEqual([S3_CLEAR_FORCE, "READ_REG 60004038", "READ_REG 6000812c", ...RTS_PULSE]);
    const clear = tap.events.find((e) => e.kind === "request" && e.op === 0x09 && new DataView(e.data.buffer, e.data.byteOffset).getUint32(0, true) === 0x6000812c);
    expect(clear?.kind === "request" && clear.forcedDownloadBefore).toBe(true);
    expect(tap.writesTo(S3_WDT_REGS)).toEqual([]);
    expect(tap.text().slice(tap.text().lastIndexOf("rst:"))).toMatch(/^rst:0xc \(RTC_SW_CPU_RST\)[^\n]*SPI_FAST_FLASH_BOOT[\s\S]*Project name: {5}forced-app/);
  });
});

describe("--after hard-reset over a UART", () => {
  it("ESP32-S3 behind a USB-UART bridge: clears the forced download, then the classic RTS pulse; no watchdog", async () => {
    const url = "sim:esp32s3?boot=download&flash=4MB&seed=6";
    const chip = createVirtualChip(parseSimUrl(url));
    const tap = tapChip(chip);
    const result = await flashWith(url, chip, 9, "uart-app", ["--after", "hard-reset"]);
    expect(result.stdout).toContain("Hard resetting via RTS pin...");
    await waitFor(() => tap.text().includes("Project name:     uart-app"), "the app's start-up line");
    expect(tap.from(S3_CLEAR_FORCE)).toEqual([S3_CLEAR_FORCE, ...RTS_PULSE]);
    expect(tap.writesTo(S3_WDT_REGS)).toEqual([]);
    expect(tap.text().slice(tap.text().lastIndexOf("rst:"))).toMatch(/^rst:0x1 \(POWERON\)/);
  });

  it("ESP32-C3 over raw TCP (no DTR/RTS lines): the RTC watchdog resets it and the app runs", async () => {
    const chip = createVirtualChip(simOptions("esp32c3", [["flash", "4MB"], ["seed", "7"]], "in a test"));
    const tap = tapChip(chip);
    const url = await serveTcp(chip);
    const result = await flashWith(url, chip, 5, "tcp-app", ["--after", "hard-reset"]);
    expect(result.stdout).toContain("has no DTR/RTS lines: resetting with the RTC watchdog instead.");
    await waitFor(() => tap.text().includes("Project name:     tcp-app"), "the app's start-up line");
    expect(chip.mode).toBe("app");
    expect(tap.from("WRITE_REG 600080a8 50d83aa1")).toEqual(C3_WATCHDOG);
    expect(tap.events.filter((e) => e.kind === "lines")).toEqual([]);
    expect(tap.text().slice(tap.text().lastIndexOf("rst:"))).toMatch(/^rst:0x10 \(RTCWDT_RTC_RST\)/);
  });

  it("ESP32 over raw TCP: it says it cannot reset (no lines, no watchdog reset) and leaves the chip alone", async () => {
    const chip = createVirtualChip(simOptions("esp32", [["flash", "4MB"], ["seed", "8"]], "in a test"));
    const url = await serveTcp(chip);
    const result = await runCli(["info", "-p", url, "--after", "hard-reset"], { env: cliEnv(tempDir()) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/note: socket:\/\/127\.0\.0\.1:\d+ has no DTR\/RTS lines and the ESP32 has no watchdog reset \(.*\): cannot hard-reset; reset the board by hand to run the new firmware\./);
    await new Promise((r) => setTimeout(r, 100));
    expect(chip.mode).toBe("rom");
    expect(chip.stats.resets).toBe(0);
  });
});

describe("--after watchdog-reset", () => {
  it("ESP32-C3: esptool's watchdog sequence, the app runs", async () => {
    const chip = createVirtualChip(simOptions("esp32c3", [["flash", "4MB"], ["seed", "10"]], "in a test"));
    installApp(chip, "wdt-app", "1.0");
    const tap = tapChip(chip);
    const url = await serveTcp(chip);
    const result = await runCli(["info", "-p", url, "--after", "watchdog-reset", "--verbose"], { env: cliEnv(tempDir()) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Hard resetting with a watchdog...");
    await waitFor(() => tap.text().includes("Project name:     wdt-app"), "the app's start-up line");
    expect(tap.from("WRITE_REG 600080a8 50d83aa1")).toEqual(C3_WATCHDOG);
  });

  it("ESP32: not supported, so the classic hard reset (RTS) as esptool falls back to", async () => {
    const url = "sim:esp32?flash=4MB&seed=11";
    const chip = createVirtualChip(parseSimUrl(url));
    installApp(chip, "esp32-app", "1.0");
    const tap = tapChip(chip);
    const result = await runCli(["info", "-p", url, "--after", "watchdog-reset"], { env: cliEnv(tempDir()), openPort: recordPorts({ [url]: chip }).openPort });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("note: Watchdog hard reset is not supported on ESP32, attempting classic hard reset instead.");
    await waitFor(() => tap.text().includes("Project name:     esp32-app"), "the app's start-up line");
    expect(tap.events.slice(-2).map((e) => (e.kind === "lines" ? `${Number(e.dtr)}${Number(e.rts)}` : "request"))).toEqual(["01", "00"]);
  });

  it("Secure Download Mode: esptool's warning, then the classic hard reset without any register access", async () => {
    const url = "sim:esp32s3?sdm=1&flash=4MB&seed=12";
    const chip = createVirtualChip(parseSimUrl(url));
    const tap = tapChip(chip);
    const result = await runCli(["info", "-p", url, "--after", "watchdog-reset"], { env: cliEnv(tempDir()), openPort: recordPorts({ [url]: chip }).openPort });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("note: Watchdog hard reset is not supported in Secure Download Mode, attempting classic hard reset instead.");
    expect(tap.events.slice(-2).map((e) => (e.kind === "lines" ? `${Number(e.dtr)}${Number(e.rts)}` : "request"))).toEqual(["01", "00"]);
    expect(tap.events.filter((e) => e.kind === "request" && (e.op === 0x09 || e.op === 0x0a))).toEqual([]);
  });
});

describe("--after hard-reset over the ESP32-P4's USB-OTG port", () => {
  /** esptool's P4 registers: OPTION1 0x50110008 (FORCE_DOWNLOAD_BOOT 0x4), LP_WDT 0x50116000 + 0x18/4/0. */
  const P4_CLEAR_FORCE = "WRITE_REG 50110008 00000000 mask 00000004 delay 0";
  const P4_WATCHDOG = [
    "WRITE_REG 50116018 50d83aa1 mask ffffffff delay 0",
    "WRITE_REG 50116004 000007d0 mask ffffffff delay 0",
    "WRITE_REG 50116000 d0000102 mask ffffffff delay 0",
    "WRITE_REG 50116018 00000000 mask ffffffff delay 0",
  ];

  it.each(["download", "app"])("started with boot=%s: the watchdog whatever the strap (no strap read), and the app runs", async (boot) => {
    const url = `sim:esp32p4?usb=otg&boot=${boot}&flash=4MB&seed=13`;
    const chip = createVirtualChip(parseSimUrl(url));
    installApp(chip, "p4-app", "1.0");
    const tap = tapChip(chip);
    const result = await runCli(["info", "-p", url, "--after", "hard-reset"], { env: cliEnv(tempDir()), openPort: recordPorts({ [url]: chip }).openPort });
    expect(result.code, result.stderr).toBe(0);
    await waitFor(() => tap.text().includes("Project name:     p4-app"), "the app's start-up line");
    expect(tap.from(P4_CLEAR_FORCE)).toEqual([P4_CLEAR_FORCE, ...P4_WATCHDOG]);
    expect(tap.text().slice(tap.text().lastIndexOf("rst:"))).toMatch(/^rst:0x10 \(RTCWDT_RTC_RST\)/);
  });
});
