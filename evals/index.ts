/** Evals and the world they run in: the sandbox ML platform and its scenarios. */
export * from "./sandbox/index.js";
