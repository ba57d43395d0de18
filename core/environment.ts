import { z } from "zod";

/** The environments a cycle can run in; policies differ per environment. */
export const ENVIRONMENTS = ["dev", "staging", "production"] as const;
/** An environment of the platform. */
export type Environment = (typeof ENVIRONMENTS)[number];
/** zod schema of an environment name. */
export const EnvironmentSchema = z.enum(ENVIRONMENTS);
