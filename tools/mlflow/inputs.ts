import { z } from "zod";

/** A model version number as a model may write it: 3 or "3". */
export const VersionInput = z.union([z.number().int().positive(), z.string().regex(/^[1-9][0-9]*$/, "must be a version number such as 3")]);

/** A registered model name. */
export const ModelNameInput = z.string().min(1).max(256);
