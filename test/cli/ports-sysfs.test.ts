/**
 * `espsync ports` and `--port auto` on a machine without udevadm (a Docker CI image): the real
 * discovery reads the fake sysfs tree in fixtures/sysfs, and the CLI prints what a user would see.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listSerialPorts } from "../../adapters/index.js";
import { buildFakeSysfs } from "../adapters/serial/fake-sysfs.js";
import { runCli } from "./helpers.js";

let sysfs: Awaited<ReturnType<typeof buildFakeSysfs>>;
beforeAll(async () => {
  sysfs = await buildFakeSysfs("usb-serial-ports");
});
afterAll(() => sysfs.remove());

const fromSysfs = () => listSerialPorts({ sysfsRoot: sysfs.root, useSerialportList: false });

describe("espsync ports on a fake sysfs tree", () => {
  it("lists each USB serial port with VID:PID, serial number, manufacturer and bridge", async () => {
    const result = await runCli(["ports"], { listSerialPorts: fromSysfs });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\/dev\/ttyUSB0 +10c4:ea60 +0001 +Silicon Labs +CP210x +yes$/m);
    expect(result.stdout).toMatch(/^\/dev\/ttyACM0 +303a:1001 +F4:12:FA:4C:21:10 +Espressif +Espressif USB-JTAG-Serial +yes$/m);
    expect(result.stdout).toMatch(/^\/dev\/ttyUSB1 +1a86:7523 +- +.* +CH340 +yes$/m);
    // The placeholder UART and the virtual console are not serial ports a board could be on.
    expect(result.stdout).not.toMatch(/ttyS1|tty0\b/);
  });

  it("refuses --port auto when several ports look like ESP boards, naming them", async () => {
    const result = await runCli(["info", "--port", "auto"], { listSerialPorts: fromSysfs });
    expect(result.code).toBe(3);
    const [message] = result.stderr.split("\n");
    expect(message).toMatch(/^error\[PORT_AMBIGUOUS\]: /);
    for (const path of ["/dev/ttyUSB0", "/dev/ttyACM0", "/dev/ttyUSB1"]) expect(message).toContain(path);
    expect(result.stderr).toMatch(/^hint: /m);
  });
});
