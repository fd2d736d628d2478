/**
 * espsync's USB-Serial/JTAG reset (`--before usb-reset`) across RFC 2217 to a chip reached through its
 * own USB-Serial/JTAG peripheral. The server applies DTR and RTS one after the other, so the client
 * orders them to pass through DTR=1 RTS=1 — the step the peripheral reads as "download mode, please"
 * before the reset — rather than DTR=0 RTS=0, which would make it boot the application.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createVirtualChip, parseSimUrl, serveEndpoint, type ServedEndpoint } from "../../adapters/index.js";
import { runCli } from "./helpers.js";
import { cliEnv, tempDir } from "./sim-rig.js";

const servers: ServedEndpoint[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe("--before usb-reset over RFC 2217 (lines forwarded one at a time, as ser2net does)", () => {
  it("lands an ESP32-C3 on its USB-Serial/JTAG port in download mode", async () => {
    const chip = createVirtualChip(parseSimUrl("sim:esp32c3?usb=1&boot=app&seed=5"));
    const server = await serveEndpoint(chip, { rfc2217: "127.0.0.1:0" });
    servers.push(server);
    const result = await runCli(["info", "-p", server.addresses.rfc2217!, "--before", "usb-reset", "--connect-attempts", "1"], { env: cliEnv(tempDir()) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("ESP32-C3");
  });
});
