// Minimal Thrift compact-protocol writer: just what the Parquet footer and page headers need
// (structs, i8/i16/i32/i64, bool, binary/string, lists). Writing only; no reader.

/** Compact-protocol type ids. */
export const CT = {
  BOOL_TRUE: 1,
  BOOL_FALSE: 2,
  I8: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;
export type CT = (typeof CT)[keyof typeof CT];

const utf8 = new TextEncoder();

/**
 * Append-only compact-protocol encoder. Struct fields must be written in increasing field-id order
 * (the delta encoding of field ids assumes it); call `structBegin`/`structEnd` around nested
 * structs, `structEnd` also for the outermost one.
 */
export class ThriftWriter {
  private buf: Uint8Array;
  private pos = 0;
  private lastField = 0;
  private readonly fieldStack: number[] = [];

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  /** The bytes written so far (a copy, safe to keep). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned LEB128 varint of a non-negative safe integer. */
  private varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  /** Zigzag varint of a signed safe integer (i16, i32 and i64 alike; |n| < 2^53). */
  private zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  private fieldHeader(id: number, type: CT): void {
    const delta = id - this.lastField;
    if (delta > 0 && delta <= 15) {
      this.byte((delta << 4) | type);
    } else {
      this.byte(type);
      this.zigzag(id);
    }
    this.lastField = id;
  }

  // ---- struct fields -------------------------------------------------------------------------

  i8Field(id: number, v: number): this {
    this.fieldHeader(id, CT.I8);
    this.byte(v & 0xff);
    return this;
  }

  i16Field(id: number, v: number): this {
    this.fieldHeader(id, CT.I16);
    this.zigzag(v);
    return this;
  }

  i32Field(id: number, v: number): this {
    this.fieldHeader(id, CT.I32);
    this.zigzag(v);
    return this;
  }

  i64Field(id: number, v: number): this {
    if (!Number.isSafeInteger(v)) throw new RangeError(`thrift i64 field ${id}: ${v} is not a safe integer`);
    this.fieldHeader(id, CT.I64);
    this.zigzag(v);
    return this;
  }

  boolField(id: number, v: boolean): this {
    this.fieldHeader(id, v ? CT.BOOL_TRUE : CT.BOOL_FALSE);
    return this;
  }

  binaryField(id: number, v: Uint8Array): this {
    this.fieldHeader(id, CT.BINARY);
    this.binary(v);
    return this;
  }

  stringField(id: number, v: string): this {
    return this.binaryField(id, utf8.encode(v));
  }

  /** Starts a nested struct field; close it with `structEnd()`. */
  structField(id: number): this {
    this.fieldHeader(id, CT.STRUCT);
    return this.structBegin();
  }

  /** Starts a list field of `size` elements of `elemType`; then write the elements. */
  listField(id: number, elemType: CT, size: number): this {
    this.fieldHeader(id, CT.LIST);
    if (size < 15) {
      this.byte((size << 4) | elemType);
    } else {
      this.byte(0xf0 | elemType);
      this.varint(size);
    }
    return this;
  }

  // ---- list elements and struct framing --------------------------------------------------------

  /** A struct value (list element or after `structField`): opens a new field-id scope. */
  structBegin(): this {
    this.fieldStack.push(this.lastField);
    this.lastField = 0;
    return this;
  }

  /** Writes the stop byte and closes the current struct's field-id scope. */
  structEnd(): this {
    this.byte(0);
    this.lastField = this.fieldStack.pop() ?? 0;
    return this;
  }

  i32(v: number): this {
    this.zigzag(v);
    return this;
  }

  binary(v: Uint8Array): this {
    this.varint(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  string(v: string): this {
    return this.binary(utf8.encode(v));
  }
}
