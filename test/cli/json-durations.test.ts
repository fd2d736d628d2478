/**
 * Every duration in every command's `--json` is a whole number of milliseconds: one unit and one
 * type, whichever clock the command measured with.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";
import { cliEnv, simUrl, tempDir, writeBuild } from "./sim-rig.js";

/** Every `…Ms` value in a JSON document, with its path. */
function durations(value: unknown, at = "$"): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => durations(v, `${at}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => (/Ms$/.test(k) ? [[`${at}.${k}`, v] as [string, unknown]] : durations(v, `${at}.${k}`)));
}

describe("--json durations", () => {
  it("flash, verify, read, erase-region and erase report whole milliseconds", async () => {
    const dir = tempDir();
    const build = writeBuild(dir);
    const url = simUrl(path.join(dir, "flash.bin"));
    const env = cliEnv(dir);
    const commands = [
      ["flash", "-p", url, ...build.pairs],
      ["verify", "-p", url, ...build.pairs],
      ["read", "-p", url, "0x10000", "0x1000", path.join(dir, "read.bin")],
      ["erase-region", "-p", url, "0x200000", "0x1000"],
      ["erase", "-p", url],
    ];
    const seen: string[] = [];
    for (const argv of commands) {
      const result = await runCli([...argv, "--json"], { env });
      expect(result.code, result.stderr).toBe(0);
      for (const [where, value] of durations(JSON.parse(result.stdout))) {
        seen.push(`${argv[0]} ${where}`);
        expect(Number.isInteger(value), `${argv[0]} ${where} = ${String(value)}`).toBe(true);
      }
    }
    // The check saw the durations of every command, the flash regions' included.
    for (const command of ["flash", "verify", "read", "erase-region", "erase"]) expect(seen.some((s) => s.startsWith(`${command} `))).toBe(true);
    expect(seen.some((s) => /^flash .*regions\[0\]\.durationMs$/.test(s))).toBe(true);
  });
});
