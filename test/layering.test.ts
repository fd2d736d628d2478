/**
 * The layering rule of the architecture is enforced by ESLint (eslint.config.js). This proves the
 * configuration really rejects imports that point the wrong way, and accepts the allowed ones, so a
 * careless edit of the config cannot silently switch the rule off.
 */
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: new URL("..", import.meta.url).pathname });

async function restricted(filePath: string, importLine: string): Promise<boolean> {
  const [result] = await eslint.lintText(`${importLine}\nexport const used = imported;\n`, { filePath });
  return (result?.messages ?? []).some((m) => m.ruleId === "no-restricted-imports");
}

describe("layering (imports point down)", () => {
  it.each([
    ["adapters/sim/x.ts", 'import { connect as imported } from "../../src/protocol/index.js";', "the simulator must not see the flasher's protocol code"],
    ["adapters/sim/x.ts", 'import { ESPLoader as imported } from "esptool-js";', "the simulator must not use esptool-js"],
    ["src/engine/x.ts", 'import { ESPLoader as imported } from "esptool-js";', "esptool-js only in src/protocol"],
    ["src/engine/x.ts", 'import { openPort as imported } from "../../adapters/index.js";', "the engine never opens ports"],
    ["src/plan/x.ts", 'import { readFileSync as imported } from "node:fs";', "the planner is pure"],
    ["src/image/x.ts", 'import { flash as imported } from "../engine/index.js";', "image may not import upwards"],
    ["src/protocol/x.ts", 'import { buildPlan as imported } from "../plan/index.js";', "protocol may not import the planner"],
    ["adapters/tcp/x.ts", 'import { SerialPort as imported } from "serialport";', "serialport only in adapters/serial"],
    ["src/cli/x.ts", 'import { TcpPort as imported } from "../../adapters/tcp/index.js";', "the CLI reaches adapters through adapters/index.ts"],
  ])("%s: %s is refused (%s)", async (file, line) => {
    expect(await restricted(file, line)).toBe(true);
  });

  it.each([
    ["src/protocol/x.ts", 'import { ESPLoader as imported } from "esptool-js";'],
    ["adapters/serial/x.ts", 'import { SerialPort as imported } from "serialport";'],
    ["adapters/tcp/x.ts", 'import { createServer as imported } from "node:net";'],
    ["src/engine/x.ts", 'import type { Device as imported } from "../protocol/device.js";'],
    ["src/cli/x.ts", 'import { openPort as imported } from "../../adapters/index.js";'],
    ["adapters/sim/x.ts", 'import { EspsyncError as imported } from "../../src/errors.js";'],
  ])("%s: %s is allowed", async (file, line) => {
    expect(await restricted(file, line)).toBe(false);
  });
});
