/**
 * The detector as an ONNX model: ai.onnx.ml TreeEnsembleRegressor for the mean path length, then
 * standard ops for the score and the flag, with the model's settings in metadata_props.
 */
import { averagePathLength, type IsolationForest } from "./isolation-forest.js";
import type { AnomalyModel } from "./model.js";
import { ATTRIBUTE_TYPE, ModelProtoType, ONNX_BOOL, ONNX_FLOAT } from "./onnx-proto.js";

/** The graph's input: float features [N, featureCount]. */
export const ONNX_INPUT = "features";
/** The graph's score output: float [N, 1], 2^(-mean path length / c(ψ)). */
export const ONNX_SCORE_OUTPUT = "score";
/** The graph's flag output: bool [N, 1], score > threshold. */
export const ONNX_FLAG_OUTPUT = "is_anomaly";

/** Operator sets the graph imports: ONNX opset 17 (Mul, Exp, Greater) and ai.onnx.ml 3. */
export const ONNX_OPSETS = Object.freeze({ "": 17, "ai.onnx.ml": 3 });
const IR_VERSION = 8; // the IR of opset 17

type Attribute = Record<string, unknown>;

/**
 * The ONNX ModelProto bytes of `model`. A row's trees are walked by TreeEnsembleRegressor with
 * BRANCH_LT (row[feature] < threshold takes the true branch, as the reference does), each leaf's
 * single target weight its path length, AVERAGE over trees; then Mul by -ln 2 / c(ψ) and Exp.
 */
export function anomalyModelToOnnx(model: AnomalyModel): Uint8Array {
  const { forest } = model;
  const graph = {
    name: "isolation_forest",
    node: [
      { name: "path_length", op_type: "TreeEnsembleRegressor", domain: "ai.onnx.ml", input: [ONNX_INPUT], output: ["mean_path_length"], attribute: treeEnsembleAttributes(forest) },
      { name: "scale", op_type: "Mul", domain: "", input: ["mean_path_length", "neg_ln2_over_c"], output: ["log_score"] },
      { name: "exp", op_type: "Exp", domain: "", input: ["log_score"], output: [ONNX_SCORE_OUTPUT] },
      { name: "flag", op_type: "Greater", domain: "", input: [ONNX_SCORE_OUTPUT, "threshold"], output: [ONNX_FLAG_OUTPUT] },
    ],
    initializer: [scalar("neg_ln2_over_c", -Math.LN2 / averagePathLength(forest.sampleSize)), scalar("threshold", model.threshold)],
    input: [tensorInfo(ONNX_INPUT, ONNX_FLOAT, ["N", forest.featureCount])],
    output: [tensorInfo(ONNX_SCORE_OUTPUT, ONNX_FLOAT, ["N", 1]), tensorInfo(ONNX_FLAG_OUTPUT, ONNX_BOOL, ["N", 1])],
  };
  const proto = {
    ir_version: IR_VERSION,
    opset_import: Object.entries(ONNX_OPSETS).map(([domain, version]) => ({ domain, version })),
    producer_name: "mlops-autopilot",
    producer_version: model.format,
    doc_string: "Isolation Forest anomaly detector: score = 2^(-mean path length / c(sample size)); is_anomaly = score > threshold.",
    graph,
    metadata_props: Object.entries(onnxMetadata(model)).map(([key, value]) => ({ key, value })),
  };
  return ModelProtoType.encode(ModelProtoType.fromObject(proto)).finish();
}

/** The key/value pairs stored in the ONNX model's metadata_props. */
export function onnxMetadata(model: AnomalyModel): Record<string, string> {
  return {
    format_version: model.format,
    threshold: String(model.threshold),
    contamination: String(model.contamination),
    feature_names: JSON.stringify(model.featureNames),
    feature_options: JSON.stringify(model.features),
    sample_size: String(model.forest.sampleSize),
    trees: String(model.forest.roots.length),
    trained_points: String(model.trainedPoints),
  };
}

// Node ids are local to each tree (the tree's root is node 0), as ONNX converters write them.
function treeEnsembleAttributes(forest: IsolationForest): Attribute[] {
  const nodes = { treeids: [] as number[], nodeids: [] as number[], featureids: [] as number[], modes: [] as string[], values: [] as number[], truenodeids: [] as number[], falsenodeids: [] as number[] };
  const targets = { treeids: [] as number[], nodeids: [] as number[], ids: [] as number[], weights: [] as number[] };
  forest.roots.forEach((root, tree) => {
    const end = forest.roots[tree + 1] ?? forest.feature.length;
    for (let node = root; node < end; node++) {
      const feature = forest.feature[node]!;
      const leaf = feature < 0;
      nodes.treeids.push(tree);
      nodes.nodeids.push(node - root);
      nodes.featureids.push(leaf ? 0 : feature);
      nodes.modes.push(leaf ? "LEAF" : "BRANCH_LT");
      nodes.values.push(leaf ? 0 : forest.threshold[node]!);
      nodes.truenodeids.push(leaf ? 0 : forest.left[node]! - root);
      nodes.falsenodeids.push(leaf ? 0 : forest.right[node]! - root);
      if (!leaf) continue;
      targets.treeids.push(tree);
      targets.nodeids.push(node - root);
      targets.ids.push(0);
      targets.weights.push(forest.pathLength[node]!);
    }
  });
  return [
    { name: "aggregate_function", type: ATTRIBUTE_TYPE.STRING, s: Buffer.from("AVERAGE") },
    { name: "n_targets", type: ATTRIBUTE_TYPE.INT, i: 1 },
    { name: "post_transform", type: ATTRIBUTE_TYPE.STRING, s: Buffer.from("NONE") },
    ints("nodes_treeids", nodes.treeids),
    ints("nodes_nodeids", nodes.nodeids),
    ints("nodes_featureids", nodes.featureids),
    { name: "nodes_modes", type: ATTRIBUTE_TYPE.STRINGS, strings: nodes.modes.map((m) => Buffer.from(m)) },
    floats("nodes_values", nodes.values),
    ints("nodes_truenodeids", nodes.truenodeids),
    ints("nodes_falsenodeids", nodes.falsenodeids),
    ints("target_treeids", targets.treeids),
    ints("target_nodeids", targets.nodeids),
    ints("target_ids", targets.ids),
    floats("target_weights", targets.weights),
  ];
}

function ints(name: string, values: number[]): Attribute {
  return { name, type: ATTRIBUTE_TYPE.INTS, ints: values };
}

function floats(name: string, values: number[]): Attribute {
  return { name, type: ATTRIBUTE_TYPE.FLOATS, floats: values };
}

function scalar(name: string, value: number): Attribute {
  return { name, data_type: ONNX_FLOAT, dims: [], float_data: [value] };
}

function tensorInfo(name: string, elemType: number, dims: Array<string | number>): Attribute {
  const dim = dims.map((d) => (typeof d === "string" ? { dim_param: d } : { dim_value: d }));
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
}
