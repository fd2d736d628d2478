/**
 * Every hint reads as a sentence: it starts with a capital letter. The only exceptions are hints
 * that start with something the user types or sees literally, which keeps its own case:
 *   - an option (`--force …`, `-p …`), the command (`espsync …`), inline code in backticks;
 *   - an interpolated value (`${chip} supports …`, a chip name or a list).
 * The source is parsed (TypeScript's parser) and every string given as a hint is checked: `hint:`
 * properties, variables and constants named like a hint (`HINT`, `NUMBER_HINT`, objects of hints),
 * arguments passed to a parameter named `hint`/`hints` (and its default), and `"hint: …"` lines.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** A capital letter, or a literal the user types: an option, the command, inline code, an interpolated value. */
const ALLOWED_START = /^([A-Z]|--?[a-zA-Z]|espsync\b|`|\$\{)/;
const HINT_NAME = /^(hint|hints|[A-Z_]*HINTS?|[a-z]*Hints?)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The start of every string `node` can evaluate to (`${` for a template that opens with a value). */
function starts(node: ts.Node): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return [node.head.text === "" ? "${" : node.head.text];
  if (ts.isConditionalExpression(node)) return [...starts(node.whenTrue), ...starts(node.whenFalse)];
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return starts(node.left);
  if (ts.isBinaryExpression(node)) return [...starts(node.left), ...starts(node.right)];
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return starts(node.expression);
  if (ts.isObjectLiteralExpression(node)) return node.properties.flatMap((p) => (ts.isPropertyAssignment(p) ? starts(p.initializer) : []));
  return [];
}

interface Found {
  readonly where: string;
  readonly start: string;
}

function hintsIn(file: string): Found[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const add = (node: ts.Node, expr: ts.Node): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    for (const start of starts(expr)) found.push({ where: `${path.relative(ROOT, file)}:${line}`, start });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === "hint") add(node, node.initializer);
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && HINT_NAME.test(node.name.text) && node.initializer) add(node, node.initializer);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && HINT_NAME.test(node.left.text)) add(node, node.right);
    else if (ts.isParameter(node) && ts.isIdentifier(node.name) && HINT_NAME.test(node.name.text) && node.initializer) add(node, node.initializer);
    else if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && node.text.startsWith("hint: ")) {
      found.push({ where: `${path.relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`, start: node.text.slice("hint: ".length) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Functions (in all files) with a parameter named `hint` or `hints`: name → parameter index. */
function hintParameters(files: readonly string[]): Map<string, number> {
  const byName = new Map<string, number>();
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionDeclaration(node) && node.name) {
        const index = node.parameters.findIndex((p) => ts.isIdentifier(p.name) && /^hints?$/.test(p.name.text));
        if (index >= 0) byName.set(node.name.text, index);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return byName;
}

function hintArguments(file: string, parameters: ReadonlyMap<string, number>): Found[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const index = parameters.get(node.expression.text);
      const arg = index === undefined ? undefined : node.arguments[index];
      if (arg !== undefined) {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        for (const start of starts(arg)) found.push({ where: `${path.relative(ROOT, file)}:${line}`, start });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const FILES = [...sourceFiles(path.join(ROOT, "src")), ...sourceFiles(path.join(ROOT, "adapters"))];

describe("hint style", () => {
  const parameters = hintParameters(FILES);
  const all = FILES.flatMap((f) => [...hintsIn(f), ...hintArguments(f, parameters)]).filter((h) => h.start !== "");

  it("finds the hints (the scan itself works)", () => {
    expect(parameters.get("usageError")).toBe(2);
    expect(parameters.get("csvError")).toBe(3);
    expect(all.length).toBeGreaterThan(150);
    expect(ALLOWED_START.test("run espsync")).toBe(false);
    expect(["Check the path.", "--force writes it", "espsync ports lists them", "`idf.py build`", "${chip} has …"].every((s) => ALLOWED_START.test(s))).toBe(true);
  });

  it("every hint starts with a capital letter, or with an option, the command, inline code or a value", () => {
    const lowercase = all.filter((h) => !ALLOWED_START.test(h.start)).map((h) => `${h.where}: ${h.start.slice(0, 60)}`);
    expect(lowercase).toEqual([]);
  });
});
