/**
 * A minimal protocol-buffers writer and reader: just what the ONNX model format needs (varints,
 * length-delimited fields, fixed32 floats). Field numbers and types are the caller's business.
 */
export class ProtoWriter {
  private buf = new Uint8Array(1024);
  private len = 0;

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private rawVarint(value: bigint): void {
    // Negative int64 values are written as their 64-bit two's complement (10 bytes), as protobuf does.
    let v = BigInt.asUintN(64, value);
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(BigInt((field << 3) | wireType));
  }

  /** int32/int64/enum/bool field. */
  varint(field: number, value: number | bigint): this {
    if (typeof value === 'number' && !Number.isInteger(value)) throw new RangeError(`protobuf: varint field ${field} got ${value}`);
    this.tag(field, 0);
    this.rawVarint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, value, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(BigInt(value.length));
    this.ensure(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** Embedded message field, built by `build` on a fresh writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export interface ProtoField {
  field: number;
  wireType: number;
  /** varint value (wire type 0) or the raw 4/8 bytes' offset for fixed types. */
  varint?: bigint;
  bytes?: Uint8Array;
}

/** Splits one message into its fields (no schema: nested messages are left as bytes). */
export function readProtoFields(data: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= data.length) throw new Error('protobuf: truncated varint');
      const b = data[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('protobuf: varint too long');
    }
  };
  while (pos < data.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 0) throw new Error('protobuf: field number 0');
    if (wireType === 0) fields.push({ field, wireType, varint: readVarint() });
    else if (wireType === 2) {
      const n = Number(readVarint());
      if (pos + n > data.length) throw new Error('protobuf: truncated length-delimited field');
      fields.push({ field, wireType, bytes: data.subarray(pos, pos + n) });
      pos += n;
    } else if (wireType === 5 || wireType === 1) {
      const n = wireType === 5 ? 4 : 8;
      if (pos + n > data.length) throw new Error('protobuf: truncated fixed field');
      fields.push({ field, wireType, bytes: data.subarray(pos, pos + n) });
      pos += n;
    } else throw new Error(`protobuf: unsupported wire type ${wireType}`);
  }
  return fields;
}
