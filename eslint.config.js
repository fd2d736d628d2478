// Lint, including the layering rule of the architecture: imports point down, esptool-js only in
// src/protocol, serialport only in adapters/serial, node:net only in the TCP and RFC 2217 adapters,
// and the simulator never sees the flasher's protocol code (it must stay an independent check).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const up = (...folders) => folders.flatMap((f) => [`**/src/${f}`, `**/src/${f}/*`, `../${f}/*`, `../${f}`]);
const adapters = ["**/adapters/*", "**/adapters/**", "../../adapters/*"];
const restrict = (patterns, paths = []) => ({
  "no-restricted-imports": ["error", { patterns: patterns.map((group) => ({ group: group.group, message: group.message })), paths }],
});
const noEsptool = { group: ["esptool-js", "esptool-js/*"], message: "esptool-js is only imported in src/protocol." };
const noSerialport = { group: ["serialport", "@serialport/*"], message: "serialport is only imported in adapters/serial." };
const noYargs = { group: ["yargs", "yargs/*"], message: "yargs is only imported in src/cli." };
const noNet = { group: ["node:net", "net"], message: "node:net is only imported in adapters/tcp and adapters/rfc2217." };
const noAdapters = { group: adapters, message: "src/ reaches adapters only through src/cli (adapters/index.ts)." };

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    files: ["src/errors.ts", "src/util/**/*.ts", "src/transport/**/*.ts", "src/image/**/*.ts"],
    rules: restrict([
      { group: up("protocol", "plan", "engine", "cli"), message: "Layering: this folder may import only utils and errors." },
      noEsptool, noSerialport, noYargs, noNet, noAdapters,
    ]),
  },
  {
    files: ["src/plan/**/*.ts"],
    rules: restrict(
      [
        { group: up("protocol", "engine", "cli", "transport"), message: "Layering: plan is pure; it may import image types, utils and errors." },
        { group: ["node:fs", "node:fs/*", "fs", "node:child_process", "node:net", "node:stream"], message: "plan is pure: no I/O." },
        noEsptool, noSerialport, noYargs, noAdapters,
      ],
    ),
  },
  {
    files: ["src/protocol/**/*.ts"],
    rules: restrict([
      { group: up("plan", "engine", "cli", "image"), message: "Layering: protocol may import transport, utils, errors and esptool-js." },
      noSerialport, noYargs, noNet, noAdapters,
    ]),
  },
  {
    files: ["src/engine/**/*.ts"],
    rules: restrict([
      { group: [...up("cli", "transport"), "../protocol/*", "!../protocol/device.js"], message: "Layering: engine sees only the Device interface (src/protocol/device.ts), plan, image." },
      noEsptool, noSerialport, noYargs, noNet, noAdapters,
    ]),
  },
  {
    files: ["src/cli/**/*.ts", "src/index.ts", "src/bin.ts"],
    rules: restrict([noSerialport, noNet, { group: ["**/adapters/**", "!**/adapters/index.js"], message: "src reaches adapters only through adapters/index.ts." }]),
  },
  {
    files: ["adapters/**/*.ts"],
    ignores: ["adapters/index.ts"],
    rules: restrict([
      { group: ["**/src/protocol", "**/src/protocol/*", "**/src/engine/*", "**/src/cli/*", "**/src/plan/*", "**/src/image/*"], message: "Layering: adapters may import src/transport, utils and errors only." },
      noEsptool, noYargs,
    ]),
  },
  {
    files: ["adapters/**/*.ts"],
    ignores: ["adapters/serial/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["**/src/protocol", "**/src/protocol/*", "**/src/engine/*", "**/src/cli/*", "**/src/plan/*", "**/src/image/*"], message: "Layering: adapters may import src/transport, utils and errors only; the simulator never sees src/protocol." },
        noEsptool, noYargs, noSerialport,
      ] }],
    },
  },
  {
    files: ["adapters/**/*.ts"],
    ignores: ["adapters/serial/**", "adapters/tcp/**", "adapters/rfc2217/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["**/src/protocol", "**/src/protocol/*", "**/src/engine/*", "**/src/cli/*", "**/src/plan/*", "**/src/image/*"], message: "Layering: adapters may import src/transport, utils and errors only; the simulator never sees src/protocol." },
        noEsptool, noYargs, noSerialport, noNet,
      ] }],
    },
  },
  {
    files: ["adapters/index.ts"],
    rules: restrict([noEsptool, noYargs, { group: ["**/src/protocol/*", "**/src/engine/*", "**/src/cli/*", "**/src/plan/*"], message: "adapters/index.ts only opens ports." }]),
  },
);
