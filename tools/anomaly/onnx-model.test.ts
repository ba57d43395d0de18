import { describe, expect, it } from "vitest";
import { averagePathLength } from "./isolation-forest.js";
import { trainAnomalyModel } from "./model.js";
import { anomalyModelToOnnx, onnxMetadata } from "./onnx-model.js";
import { decodeModelProto } from "./onnx-proto.js";
import { syntheticMetricSeries } from "./synthetic.js";

const model = trainAnomalyModel(syntheticMetricSeries({ length: 1500, seed: 21 }), { trees: 7, sampleSize: 64, contamination: 0.02, seed: 3 });
const decoded = decodeModelProto(anomalyModelToOnnx(model)) as any;
const nodes = decoded.graph.node as any[];

function attribute(node: any, name: string): any {
  const found = (node.attribute as any[]).find((a) => a.name === name);
  if (!found) throw new Error(`no attribute ${name} on ${node.op_type}`);
  return found;
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");

describe("anomalyModelToOnnx", () => {
  it("imports ONNX opset 17 and ai.onnx.ml 3 at IR version 8", () => {
    expect(decoded.ir_version).toBe(8);
    expect(decoded.opset_import).toEqual([{ domain: "", version: 17 }, { domain: "ai.onnx.ml", version: 3 }]);
    expect(decoded.producer_name).toBe("mlops-autopilot");
  });

  it("chains TreeEnsembleRegressor, Mul, Exp and Greater from `features` [N, 5] to `score` and `is_anomaly` [N, 1]", () => {
    expect(nodes.map((n) => [n.domain ?? "", n.op_type, n.input, n.output])).toEqual([
      ["ai.onnx.ml", "TreeEnsembleRegressor", ["features"], ["mean_path_length"]],
      ["", "Mul", ["mean_path_length", "neg_ln2_over_c"], ["log_score"]],
      ["", "Exp", ["log_score"], ["score"]],
      ["", "Greater", ["score", "threshold"], ["is_anomaly"]],
    ]);
    const shape = (info: any) => [info.name, info.type.tensor_type.elem_type, info.type.tensor_type.shape.dim.map((d: any) => d.dim_param ?? d.dim_value)];
    expect(decoded.graph.input.map(shape)).toEqual([["features", 1, ["N", 5]]]);
    expect(decoded.graph.output.map(shape)).toEqual([
      ["score", 1, ["N", 1]],
      ["is_anomaly", 9, ["N", 1]],
    ]);
  });

  it("stores -ln 2 / c(ψ) and the threshold as float scalars", () => {
    const initializers = Object.fromEntries((decoded.graph.initializer as any[]).map((t) => [t.name, t]));
    expect(initializers.neg_ln2_over_c).toMatchObject({ data_type: 1, float_data: [Math.fround(-Math.LN2 / averagePathLength(64))] });
    expect(initializers.threshold).toMatchObject({ data_type: 1, float_data: [model.threshold] });
  });

  it("writes every tree node, BRANCH_LT splits with tree-local ids, and one target weight (the path length) per leaf, averaged", () => {
    const ensemble = nodes[0];
    const { forest } = model;
    const leafCount = forest.feature.filter((f) => f < 0).length;
    expect(text(attribute(ensemble, "aggregate_function").s)).toBe("AVERAGE");
    expect(text(attribute(ensemble, "post_transform").s)).toBe("NONE");
    expect(attribute(ensemble, "n_targets").i).toBe(1);
    const modes = (attribute(ensemble, "nodes_modes").strings as Uint8Array[]).map(text);
    expect(modes).toEqual(forest.feature.map((f) => (f < 0 ? "LEAF" : "BRANCH_LT")));
    expect(attribute(ensemble, "nodes_values").floats).toEqual(forest.feature.map((f, i) => (f < 0 ? 0 : forest.threshold[i])));
    const treeIds = attribute(ensemble, "nodes_treeids").ints as number[];
    const nodeIds = attribute(ensemble, "nodes_nodeids").ints as number[];
    forest.roots.forEach((root, tree) => {
      expect(treeIds[root]).toBe(tree);
      expect(nodeIds[root]).toBe(0);
    });
    const trueIds = attribute(ensemble, "nodes_truenodeids").ints as number[];
    forest.left.forEach((left, i) => {
      if (left >= 0) expect(trueIds[i]! + forest.roots[treeIds[i]!]!).toBe(left);
    });
    expect(attribute(ensemble, "target_weights").floats).toEqual(forest.pathLength.filter((_, i) => forest.feature[i]! < 0));
    expect(attribute(ensemble, "target_ids").ints).toEqual(Array(leafCount).fill(0));
  });

  it("keeps the model's settings in metadata_props", () => {
    const metadata = Object.fromEntries((decoded.metadata_props as any[]).map((p) => [p.key, p.value]));
    expect(metadata).toEqual(onnxMetadata(model));
    expect(metadata).toMatchObject({
      format_version: model.format,
      threshold: String(model.threshold),
      contamination: "0.02",
      sample_size: "64",
      trees: "7",
      trained_points: "1500",
    });
    expect(JSON.parse(metadata.feature_names)).toEqual(model.featureNames);
    expect(JSON.parse(metadata.feature_options)).toEqual({ baselineWindow: 30, shortWindow: 5 });
  });
});
