/**
 * A minimal ONNX writer: hand-encoded protobuf for ModelProto and the messages it needs.
 *
 * Why by hand: the generator must run offline with no Python and no protobuf library, and the subset of ONNX a
 * GPT-2 graph needs (nodes, attributes, initializers with raw_data, value infos with symbolic dims) is small.
 * Field numbers follow onnx/onnx.proto3 (IR version 8, opset 17).
 */
import { endianness } from "node:os";

/** TensorProto.DataType values used by the generator. */
export enum OnnxDataType {
  FLOAT = 1,
  INT32 = 6,
  INT64 = 7,
  BOOL = 9,
}

/** AttributeProto.AttributeType values used by the generator. */
enum AttributeType {
  FLOAT = 1,
  INT = 2,
  INTS = 7,
}

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Appends protobuf fields to a growing list of byte chunks. */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private varint(value: bigint | number): void {
    // int64 fields encode negatives as 10-byte two's complement varints.
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(bytes));
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: bigint | number): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  packedInts(field: number, values: readonly (bigint | number)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** A dimension is either a fixed size or a symbolic name (ONNX dim_param). */
export type Dim = number | string;

export type AttributeValue = { float: number } | { int: number } | { ints: number[] };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxTensor {
  name: string;
  dataType: OnnxDataType;
  dims: number[];
  /** Little-endian element bytes, as ONNX raw_data expects. */
  rawData: Uint8Array;
}

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataType;
  shape: Dim[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

function writeValueInfo(w: ProtoWriter, info: OnnxValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, info.elemType);
      tensorType.message(2, (shape) => {
        for (const dim of info.shape) {
          shape.message(1, (d) => (typeof dim === "number" ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}

function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(1, name);
  if ("float" in value) {
    w.float(2, value.float).int(20, AttributeType.FLOAT);
  } else if ("int" in value) {
    w.int(3, value.int).int(20, AttributeType.INT);
  } else {
    w.packedInts(8, value.ints).int(20, AttributeType.INTS);
  }
}

function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    w.message(5, (a) => writeAttribute(a, name, value));
  }
}

function writeTensor(w: ProtoWriter, tensor: OnnxTensor): void {
  if (tensor.dims.length > 0) w.packedInts(1, tensor.dims);
  w.int(2, tensor.dataType);
  w.string(8, tensor.name);
  w.bytes(9, tensor.rawData);
}

/** Serialises a ModelProto (IR version 8, default-domain opset 17). */
export function encodeOnnxModel(graph: OnnxGraph, producer: { name: string; version: string }): Uint8Array {
  const model = new ProtoWriter();
  model.int(1, 8);
  model.string(2, producer.name);
  model.string(3, producer.version);
  model.message(7, (g) => {
    for (const node of graph.nodes) g.message(1, (n) => writeNode(n, node));
    g.string(2, graph.name);
    for (const tensor of graph.initializers) g.message(5, (t) => writeTensor(t, tensor));
    for (const input of graph.inputs) g.message(11, (v) => writeValueInfo(v, input));
    for (const output of graph.outputs) g.message(12, (v) => writeValueInfo(v, output));
  });
  model.message(8, (opset) => opset.string(1, "").int(2, 17));
  return model.finish();
}

const LITTLE_ENDIAN_HOST = endianness() === "LE";

/** Float32 values as little-endian bytes, the byte order ONNX raw_data requires whatever the host's order. */
export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  if (values instanceof Float32Array && LITTLE_ENDIAN_HOST) {
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

/** Int64 values as little-endian bytes. */
export function int64Bytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]), true);
  return bytes;
}
