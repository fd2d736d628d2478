/**
 * What `npm publish` would ship: only the library, the CLI and their types (no compiled tests or
 * benchmarks, no demo flash file), and the packed tarball installs into an empty folder and runs
 * from there — `espsync --help` and a flash onto a virtual chip. It packs the build `npm test` made
 * (`--ignore-scripts`: no rebuild under the other tests running at the same time).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

describe("the published package", () => {
  it("packs only the library, the CLI and their types, installs into an empty folder and flashes a virtual chip from there", () => {
    const work = mkdtempSync(path.join(tmpdir(), "espsync-pack-"));
    const packed = JSON.parse(execFileSync(NPM, ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: ROOT, encoding: "utf8" })) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    expect(files.filter((f) => !/^dist\/(src|adapters)\//.test(f)).sort()).toEqual(["LICENSE", "README.md", "package.json"]);
    expect(files).toContain("dist/src/bin.js");
    expect(files).toContain("dist/src/index.d.ts");
    expect(files.some((f) => f.endsWith(".bin") || f.endsWith(".map"))).toBe(false);

    const app = mkdtempSync(path.join(tmpdir(), "espsync-install-"));
    execFileSync(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(work, packed[0]!.filename)], { cwd: app, encoding: "utf8", stdio: "pipe" });
    const bin = path.join(app, "node_modules", ".bin", "espsync");
    const help = spawnSync(bin, ["--help"], { cwd: app, encoding: "utf8" });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/espsync flash/);

    const url = `sim:esp32c3?seed=1&file=${path.join(app, "flash.bin")}`;
    const args = ["flash", "-p", url, "--flasher-args", path.join(ROOT, "fixtures", "demo", "flasher_args.json"), "--json"];
    const first = spawnSync(bin, args, { cwd: app, encoding: "utf8" });
    expect(first.status, first.stderr).toBe(0);
    const app0 = readFileSync(path.join(ROOT, "fixtures", "demo", "espsync-demo.bin"));
    expect(Buffer.compare(readFileSync(path.join(app, "flash.bin")).subarray(0x10000, 0x10000 + app0.length), app0)).toBe(0);
    const second = spawnSync(bin, args, { cwd: app, encoding: "utf8" });
    expect(second.status, second.stderr).toBe(0);
    const written = (JSON.parse(second.stdout) as { boards: { result: { regions: { sectorsWritten: number }[] } }[] }).boards[0]!.result.regions.map((r) => r.sectorsWritten);
    expect(written.every((n) => n === 0)).toBe(true);
  }, 240_000);
});
