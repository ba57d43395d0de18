import { stringify } from "yaml";
import type { H2oModel } from "../h2o/index.js";

/**
 * The `MLmodel` file stored next to the MOJO. MLflow has no built-in flavor for H2O MOJOs, so it
 * names an `h2o_mojo` flavor that says which file to load and what the model is.
 */
export function mlmodelYaml(model: Pick<H2oModel, "model_id" | "algo" | "model_category" | "response_column_name">, runId: string, createdAt: Date): string {
  return stringify({
    artifact_path: "model",
    flavors: {
      h2o_mojo: {
        mojo_file: `${model.model_id}.zip`,
        h2o_model_id: model.model_id,
        algo: model.algo,
        model_category: model.model_category,
        response_column: model.response_column_name,
      },
    },
    run_id: runId,
    utc_time_created: createdAt.toISOString().replace("T", " ").replace("Z", ""),
  });
}
