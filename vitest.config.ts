import { defineConfig } from "vitest/config";

// Tests live beside the code (`x.test.ts`); those that start real servers are `x.int.test.ts`.
export default defineConfig({
  test: {
    include: ["{core,tools,policies,prompts,agents,graphs,evals,server}/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
