import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real processes (socat, ser2net, the simulator server); two cores are the budget.
    maxWorkers: 2,
  },
});
