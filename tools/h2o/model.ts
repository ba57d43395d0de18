import type { H2oModelJson } from "./schemas.js";

/** The subset of an H2O model the tools use. */
export interface H2oModel {
  model_id: string;
  algo: string;
  response_column_name: string | null;
  have_mojo: boolean;
  /** `output.model_category`: Regression, Binomial, ... */
  model_category: string;
  /** Numeric training metrics (MSE, RMSE, r2, mae, ...); NaN and non-numeric fields left out. */
  training_metrics: Record<string, number>;
  /** The first row of `output.model_summary` (number_of_trees, max_depth, mean_depth, model_size_in_bytes, ...). */
  model_summary: Record<string, number | string | null>;
  /** `actual_value` of every parameter, by name. */
  parameters: Record<string, unknown>;
}

const NOT_METRICS = new Set(["scoring_time", "model_checksum", "frame_checksum"]);

/** Turns the JSON of GET /3/Models/{id} into an H2oModel. */
export function toH2oModel(json: H2oModelJson): H2oModel {
  const training_metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(json.output.training_metrics ?? {})) {
    if (typeof value === "number" && Number.isFinite(value) && !NOT_METRICS.has(key)) training_metrics[key] = value;
  }
  const model_summary: Record<string, number | string | null> = {};
  const table = json.output.model_summary;
  table?.columns.forEach((column, c) => {
    if (!column.name) return; // the row-header column has an empty name
    model_summary[column.name] = cell(table.data[c]?.[0]);
  });
  const parameters: Record<string, unknown> = {};
  for (const p of json.parameters ?? []) parameters[p.name] = p.actual_value;
  return {
    model_id: json.model_id.name,
    algo: json.algo,
    response_column_name: json.response_column_name ?? null,
    have_mojo: json.have_mojo,
    model_category: json.output.model_category,
    training_metrics,
    model_summary,
    parameters,
  };
}

/**
 * The complexity proxy of a tree model: number_of_trees * max_depth from its model summary, or
 * null for models without trees (glm).
 */
export function modelComplexity(model: Pick<H2oModel, "model_summary">): number | null {
  const trees = model.model_summary.number_of_trees;
  const depth = model.model_summary.max_depth;
  if (typeof trees !== "number" || typeof depth !== "number") return null;
  return trees * depth;
}

function cell(value: unknown): number | string | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string") {
    // H2O writes NaN/Infinity as strings; other strings stay as text.
    if (value === "NaN" || value === "Infinity" || value === "-Infinity") return null;
    return value;
  }
  return null;
}
