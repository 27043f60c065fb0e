/**
 * Builds ONNX models (ModelProto bytes) from TypeScript: nodes, float/int64 initializers, typed graph
 * inputs/outputs. Used by the inference exporter (onnx-export.ts) and the training-graph builder.
 * Field numbers follow onnx/onnx.proto (IR version 8).
 */
import { ProtoWriter } from './protobuf.js';

export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

export type OnnxAttribute =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string };

export type OnnxDim = number | string;

interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Readonly<Record<string, OnnxAttribute>>;
  name: string;
}

interface InitializerSpec {
  name: string;
  dims: readonly number[];
  dataType: number;
  raw: Uint8Array;
}

interface ValueInfoSpec {
  name: string;
  elemType: number;
  dims: readonly OnnxDim[];
}

export class OnnxGraph {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: InitializerSpec[] = [];
  private readonly inputs: ValueInfoSpec[] = [];
  private readonly outputs: ValueInfoSpec[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** An unused value name with a readable prefix (claimed when a node, input or initializer takes it). */
  fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.names.has(n));
    return n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`onnx graph: value name '${name}' used twice`);
    this.names.add(name);
    return name;
  }

  input(name: string, dims: readonly OnnxDim[], elemType = ONNX_FLOAT): string {
    this.inputs.push({ name: this.claim(name), elemType, dims });
    return name;
  }

  /** Declares an existing value as a graph output. */
  output(name: string, dims: readonly OnnxDim[], elemType = ONNX_FLOAT): void {
    this.outputs.push({ name, elemType, dims });
  }

  floatInitializer(name: string, dims: readonly number[], data: Float32Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`onnx graph: initializer '${name}' has ${data.length} values, dims ${dims.join('x')}`);
    const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name: this.claim(name), dims, dataType: ONNX_FLOAT, raw });
    return name;
  }

  int64Initializer(name: string, values: readonly number[]): string {
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name: this.claim(name), dims: [values.length], dataType: ONNX_INT64, raw: new Uint8Array(data.buffer) });
    return name;
  }

  /** Adds a node with one output (a fresh name unless given); returns the output's name. */
  node(op: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}, output?: string): string {
    const out = this.claim(output ?? this.fresh(op.toLowerCase()));
    this.nodes.push({ op, inputs, outputs: [out], attributes, name: `${op}_${this.nodes.length}` });
    return out;
  }

  /** Adds a node with several outputs ('' for an unused optional output). */
  nodeMulti(op: string, inputs: readonly string[], outputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}): void {
    for (const o of outputs) if (o !== '') this.claim(o);
    this.nodes.push({ op, inputs, outputs, attributes, name: `${op}_${this.nodes.length}` });
  }

  toModelBytes(producer = 'tengen'): Uint8Array {
    const w = new ProtoWriter();
    w.varint(1, ONNX_IR_VERSION);
    w.string(2, producer);
    w.string(3, '1');
    w.message(7, (g) => this.writeGraph(g));
    w.message(8, (o) => o.string(1, '').varint(2, ONNX_OPSET));
    return w.finish();
  }

  private writeGraph(g: ProtoWriter): void {
    for (const n of this.nodes) {
      g.message(1, (nw) => {
        for (const i of n.inputs) nw.string(1, i);
        for (const o of n.outputs) nw.string(2, o);
        nw.string(3, n.name);
        nw.string(4, n.op);
        for (const [name, a] of Object.entries(n.attributes)) nw.message(5, (aw) => writeAttribute(aw, name, a));
      });
    }
    g.string(2, this.name);
    for (const t of this.initializers) {
      g.message(5, (tw) => {
        for (const d of t.dims) tw.varint(1, d);
        tw.varint(2, t.dataType);
        tw.string(8, t.name);
        tw.bytes(9, t.raw);
      });
    }
    for (const v of this.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of this.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  }
}

function writeAttribute(w: ProtoWriter, name: string, a: OnnxAttribute): void {
  w.string(1, name);
  if ('int' in a) w.varint(3, a.int).varint(20, 2);
  else if ('float' in a) w.float(2, a.float).varint(20, 1);
  else if ('ints' in a) {
    for (const v of a.ints) w.varint(8, v);
    w.varint(20, 7);
  } else if ('floats' in a) {
    for (const v of a.floats) w.float(7, v);
    w.varint(20, 6);
  } else {
    w.string(4, a.string).varint(20, 3);
  }
}

function writeValueInfo(w: ProtoWriter, v: ValueInfoSpec): void {
  w.string(1, v.name);
  w.message(2, (tw) =>
    tw.message(1, (tt) => {
      tt.varint(1, v.elemType);
      tt.message(2, (sw) => {
        for (const d of v.dims) sw.message(1, (dw) => (typeof d === 'number' ? dw.varint(1, d) : dw.string(2, d)));
      });
    }),
  );
}
