/**
 * A GPT-2 decoder as an ONNX graph with a real KV cache, in the input/output layout transformers.js expects of
 * `onnx/model.onnx` for `model_type: "gpt2"`:
 *
 *   inputs:  input_ids [batch, seq] int64, attention_mask [batch, past+seq] int64, position_ids [batch, seq] int64,
 *            past_key_values.{i}.key|value float [batch, H, past, D]
 *   outputs: logits [batch, seq, vocab], present.{i}.key|value float [batch, H, past+seq, D]
 *
 * H and D are numeric in the input metadata on purpose: transformers.js v4 builds the empty first-step cache from
 * the session's input metadata and turns every symbolic dim except `batch_size` into 0.
 * The causal mask is computed inside the graph from the shapes (past length = total - seq), so the same graph is
 * right for the prefill and for every cached decode step. Only standard opset-17 ops are used, so any execution
 * provider can run it.
 */
import { SeededRandom } from "../../src/random.js";
import { type AttributeValue, type OnnxGraph, OnnxDataType, float32Bytes, int64Bytes } from "./onnx-writer.js";

export interface Gpt2Dimensions {
  vocabSize: number;
  /** Learned position embeddings: the context window. */
  positions: number;
  embedding: number;
  heads: number;
  layers: number;
}

export interface Gpt2Weights {
  seed: number;
  /** Added to the final logits, one value per token: how the generator steers a random model's output. */
  logitBias: Float32Array;
}

class GraphBuilder {
  readonly graph: OnnxGraph = { name: "chorus-tiny-gpt2", nodes: [], initializers: [], inputs: [], outputs: [] };
  private nodeCount = 0;

  constant(name: string, dataType: OnnxDataType.FLOAT | OnnxDataType.INT64, dims: number[], values: ArrayLike<number>): string {
    const rawData = dataType === OnnxDataType.FLOAT ? float32Bytes(values) : int64Bytes(values);
    this.graph.initializers.push({ name, dataType, dims, rawData });
    return name;
  }

  op(opType: string, inputs: string[], attributes?: Record<string, AttributeValue>, output?: string): string {
    const name = `${opType}_${this.nodeCount++}`;
    const out = output ?? `${name}_out`;
    this.graph.nodes.push({ opType, inputs, outputs: [out], name, attributes });
    return out;
  }
}

export function buildGpt2Graph(dims: Gpt2Dimensions, weights: Gpt2Weights): OnnxGraph {
  const { vocabSize: V, positions: N, embedding: E, heads: H, layers: L } = dims;
  if (E % H !== 0) throw new RangeError(`embedding (${E}) must be a multiple of heads (${H})`);
  if (weights.logitBias.length !== V) throw new RangeError("logitBias must have one value per token");
  const D = E / H;
  const random = new SeededRandom(weights.seed);
  const g = new GraphBuilder();
  const normal = (count: number, std: number) => {
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = random.gaussian(0, std);
    return values;
  };
  const weight = (name: string, shape: number[], std: number) =>
    g.constant(
      name,
      OnnxDataType.FLOAT,
      shape,
      normal(
        shape.reduce((a, b) => a * b, 1),
        std,
      ),
    );
  const filled = (name: string, length: number, value: number) => g.constant(name, OnnxDataType.FLOAT, [length], new Float32Array(length).fill(value));

  // Scales chosen so activations stay near unit variance and logits differ by whole units: greedy decoding then
  // never hinges on float rounding, so every CPU and execution provider picks the same tokens.
  const embeddingStd = 0.5;
  const projectionStd = 1 / Math.sqrt(E);
  const biasStd = 0.1;

  const batch = "batch_size";
  const seq = "sequence_length";
  const past = "past_sequence_length";
  const total = "total_sequence_length";
  g.graph.inputs.push(
    { name: "input_ids", elemType: OnnxDataType.INT64, shape: [batch, seq] },
    { name: "attention_mask", elemType: OnnxDataType.INT64, shape: [batch, total] },
    { name: "position_ids", elemType: OnnxDataType.INT64, shape: [batch, seq] },
  );
  for (let i = 0; i < L; i++) {
    for (const kind of ["key", "value"]) {
      g.graph.inputs.push({ name: `past_key_values.${i}.${kind}`, elemType: OnnxDataType.FLOAT, shape: [batch, H, past, D] });
    }
  }
  g.graph.outputs.push({ name: "logits", elemType: OnnxDataType.FLOAT, shape: [batch, seq, V] });

  const int64Scalar = (name: string, value: number) => g.constant(name, OnnxDataType.INT64, [], [value]);
  const int64Vector = (name: string, values: number[]) => g.constant(name, OnnxDataType.INT64, [values.length], values);
  const floatScalar = (name: string, value: number) => g.constant(name, OnnxDataType.FLOAT, [], [value]);

  // Embeddings.
  const wte = weight("wte", [V, E], embeddingStd);
  const wpe = weight("wpe", [N, E], embeddingStd);
  let hidden = g.op("Add", [g.op("Gather", [wte, "input_ids"]), g.op("Gather", [wpe, "position_ids"])]);

  // Causal + padding mask, [batch, 1, seq, total]: query i sits at absolute position past + i.
  const zero = int64Scalar("zero", 0);
  const one = int64Scalar("one", 1);
  const seqLength = g.op("Gather", [g.op("Shape", ["input_ids"]), one], { axis: { int: 0 } });
  const totalLength = g.op("Gather", [g.op("Shape", ["attention_mask"]), one], { axis: { int: 0 } });
  const pastLength = g.op("Sub", [totalLength, seqLength]);
  const queryPositions = g.op("Unsqueeze", [g.op("Range", [pastLength, totalLength, one]), int64Vector("axes_1", [1])]);
  const keyPositions = g.op("Range", [zero, totalLength, one]);
  const causal = g.op("LessOrEqual", [keyPositions, queryPositions]);
  const padding = g.op("Unsqueeze", [g.op("Cast", ["attention_mask"], { to: { int: OnnxDataType.BOOL } }), int64Vector("axes_1_2", [1, 2])]);
  const allowed = g.op("And", [causal, padding]);
  const masked = floatScalar("masked_score", -1e9);
  const attentionScale = floatScalar("attention_scale", 1 / Math.sqrt(D));
  const splitHeads = int64Vector("split_heads_shape", [0, 0, H, D]);
  const mergeHeads = int64Vector("merge_heads_shape", [0, 0, E]);

  const layerNorm = (input: string, name: string) =>
    g.op("LayerNormalization", [input, filled(`${name}.weight`, E, 1), filled(`${name}.bias`, E, 0)], {
      axis: { int: -1 },
      epsilon: { float: 1e-5 },
    });
  const linear = (input: string, name: string, inputSize: number, outputSize: number, std: number) =>
    g.op("Add", [g.op("MatMul", [input, weight(`${name}.weight`, [inputSize, outputSize], std)]), weight(`${name}.bias`, [outputSize], biasStd)]);
  const toHeads = (input: string) => g.op("Transpose", [g.op("Reshape", [input, splitHeads])], { perm: { ints: [0, 2, 1, 3] } });

  // GPT-2's tanh approximation of GELU; opset 17 has no Gelu op.
  const geluCubic = floatScalar("gelu_cubic", 0.044715);
  const geluScale = floatScalar("gelu_scale", Math.sqrt(2 / Math.PI));
  const oneFloat = floatScalar("one_float", 1);
  const half = floatScalar("half", 0.5);
  const gelu = (x: string) => {
    const cubed = g.op("Mul", [g.op("Mul", [x, x]), x]);
    const inner = g.op("Mul", [g.op("Add", [x, g.op("Mul", [cubed, geluCubic])]), geluScale]);
    return g.op("Mul", [g.op("Mul", [x, half]), g.op("Add", [g.op("Tanh", [inner]), oneFloat])]);
  };

  for (let i = 0; i < L; i++) {
    const prefix = `h.${i}`;
    const x = layerNorm(hidden, `${prefix}.ln_1`);
    const query = toHeads(linear(x, `${prefix}.attn.q`, E, E, projectionStd));
    const key = g.op(
      "Concat",
      [`past_key_values.${i}.key`, toHeads(linear(x, `${prefix}.attn.k`, E, E, projectionStd))],
      { axis: { int: 2 } },
      `present.${i}.key`,
    );
    const value = g.op(
      "Concat",
      [`past_key_values.${i}.value`, toHeads(linear(x, `${prefix}.attn.v`, E, E, projectionStd))],
      { axis: { int: 2 } },
      `present.${i}.value`,
    );
    for (const name of [key, value]) {
      g.graph.outputs.push({ name, elemType: OnnxDataType.FLOAT, shape: [batch, H, total, D] });
    }
    const scores = g.op("Mul", [g.op("MatMul", [query, g.op("Transpose", [key], { perm: { ints: [0, 1, 3, 2] } })]), attentionScale]);
    const probabilities = g.op("Softmax", [g.op("Where", [allowed, scores, masked])], { axis: { int: -1 } });
    const context = g.op("Reshape", [g.op("Transpose", [g.op("MatMul", [probabilities, value])], { perm: { ints: [0, 2, 1, 3] } }), mergeHeads]);
    hidden = g.op("Add", [hidden, linear(context, `${prefix}.attn.c_proj`, E, E, projectionStd)]);
    const feedForward = gelu(linear(layerNorm(hidden, `${prefix}.ln_2`), `${prefix}.mlp.c_fc`, E, 4 * E, projectionStd));
    hidden = g.op("Add", [hidden, linear(feedForward, `${prefix}.mlp.c_proj`, 4 * E, E, 1 / Math.sqrt(4 * E))]);
  }

  // An untied lm_head: tied to wte, a random model mostly predicts the token it just read.
  const logitsWithoutBias = g.op("MatMul", [layerNorm(hidden, "ln_f"), weight("lm_head.weight", [E, V], 2 / Math.sqrt(E))]);
  g.op("Add", [logitsWithoutBias, g.constant("logit_bias", OnnxDataType.FLOAT, [V], weights.logitBias)], undefined, "logits");
  return g.graph;
}
