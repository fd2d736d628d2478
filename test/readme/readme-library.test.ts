/**
 * The README's library example compiles, as a user's file would: in its own folder with `espsync`
 * installed (a link to this package, resolved through its `exports` and built types), strict
 * TypeScript, ES modules. It is type-checked, not run: it opens /dev/ttyUSB0.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../cli/sim-rig.js";
import { readmeBlocks } from "./readme-blocks.js";

function typeCheck(source: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "espsync-readme-lib-"));
  mkdirSync(path.join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(ROOT, path.join(dir, "node_modules", "espsync"));
  symlinkSync(path.join(ROOT, "node_modules", "@types", "node"), path.join(dir, "node_modules", "@types", "node"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const file = path.join(dir, "example.ts");
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("README: the library example", () => {
  const example = readmeBlocks().find((b) => b.title === "Library" && b.lang === "ts");

  it("compiles against the package's exports and types", () => {
    expect(example?.text).toMatch(/from "espsync"/);
    expect(typeCheck(example!.text)).toEqual([]);
  }, 60_000);

  it("a misspelt export is reported (the check reads the real types)", () => {
    expect(typeCheck(example!.text.replace("validateImageSet", "validateImages")).join("\n")).toMatch(/validateImages/);
  }, 60_000);
});
