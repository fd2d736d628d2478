/** The delta planner: probe state machine, cache model, cost model and the flash plan. Pure. */
export * from "./cache.js";
export * from "./cost-model.js";
export * from "./plan.js";
export * from "./probe.js";
export * from "./runs.js";
export * from "./target.js";
