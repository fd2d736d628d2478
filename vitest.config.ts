import { defineConfig } from "vitest/config";

// Two projects, run one after the other by `npm test`: the real-ROM tests keep Espressif's QEMU busy
// (one emulator process per file), and the rest include timing-sensitive fault and signal tests that
// should not share two cores with emulators.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real processes (socat, ser2net, the simulator server, QEMU); two cores are the budget.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "main", include: ["test/**/*.test.ts"], exclude: ["test/qemu/**"] } },
      // One file at a time: each runs an emulator (and the agreement files the simulator beside it),
      // and two of those sharing two cores made QEMU's replies miss the tests' deadlines now and then.
      { extends: true, test: { name: "real-rom", include: ["test/qemu/**/*.test.ts"], fileParallelism: false } },
    ],
  },
});
