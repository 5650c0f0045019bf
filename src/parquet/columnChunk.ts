// Encodes one buffered column of a row group into a Parquet column chunk: optional dictionary page,
// v1 data pages of about `pageBytes` each (definition levels + values), compression, statistics.
import type { ColumnBuffer } from './columnBuffer.js';
import type { CodecImpl } from './compression.js';
import {
  ByteSink,
  bitWidthOf,
  definitionLevels,
  plainBoolean,
  plainInt32View,
  plainInt64View,
  plainString,
  rleHybrid,
  utf8Bytes,
} from './encodings.js';
import { Encoding, dataPageHeader, dictionaryPageHeader, type ColumnChunkMeta, type Statistics } from './metadata.js';
import { compareUtf8, numericStatBytes, stringMinMax } from './statistics.js';

/** String chunks with more distinct values than this are written PLAIN. */
export const MAX_STRING_DICTIONARY = 1 << 15;
/** Most rows in one data page (dictionary indices and booleans are tiny per row). */
const MAX_PAGE_ROWS = 1 << 20;

export interface ChunkOutput {
  readonly pieces: Uint8Array[];
  readonly meta: ColumnChunkMeta;
}

/** Reusable scratch space for page bodies and dictionary indices. */
export class ChunkScratch {
  readonly body = new ByteSink(1 << 20);
  indices: Int32Array = new Int32Array(0);

  indexBuffer(n: number): Int32Array {
    if (this.indices.length < n) this.indices = new Int32Array(Math.max(n, this.indices.length * 2));
    return this.indices;
  }
}

interface DictionaryPlan {
  readonly entries: readonly string[];
  readonly indices: Int32Array;
  readonly bitWidth: number;
}

/** Dictionary of a string chunk, or undefined when it is not worth it (many distinct values). */
function planStringDictionary(values: readonly string[], scratch: ChunkScratch): DictionaryPlan | undefined {
  const n = values.length;
  if (n < 2) return undefined;
  const map = new Map<string, number>();
  const indices = scratch.indexBuffer(n);
  const limit = Math.min(MAX_STRING_DICTIONARY, n >>> 1);
  for (let i = 0; i < n; i++) {
    const s = values[i]!;
    let id = map.get(s);
    if (id === undefined) {
      id = map.size;
      if (id >= limit) return undefined;
      map.set(s, id);
    }
    indices[i] = id;
  }
  const entries = [...map.keys()];
  return { entries, indices, bitWidth: bitWidthOf(entries.length - 1) };
}

/** Encodes one column chunk starting at file offset `offset`. */
export function encodeColumnChunk(buf: ColumnBuffer, codec: CodecImpl, offset: number, pageBytes: number, scratch: ChunkScratch): ChunkOutput {
  const col = buf.col;
  const rows = buf.rows;
  const pieces: Uint8Array[] = [];
  let pos = offset;
  let uncompressedTotal = 0;
  let compressedTotal = 0;
  let dictionaryPageOffset: number | undefined;

  const emit = (header: Uint8Array, body: Uint8Array): void => {
    pieces.push(header, body);
    pos += header.length + body.length;
  };
  const page = (body: Uint8Array, numValues: number, encoding: Encoding): void => {
    const compressed = codec.compress(body);
    const header = dataPageHeader(body.length, compressed.length, numValues, encoding);
    uncompressedTotal += header.length + body.length;
    compressedTotal += header.length + compressed.length;
    emit(header, compressed);
  };
  const dictionaryPage = (entries: readonly string[]): void => {
    const sink = scratch.body;
    sink.reset();
    for (const s of entries) plainString(s, sink);
    const body = sink.view();
    const compressed = codec.compress(body);
    const header = dictionaryPageHeader(body.length, compressed.length, entries.length);
    uncompressedTotal += header.length + body.length;
    compressedTotal += header.length + compressed.length;
    dictionaryPageOffset = pos;
    emit(header, compressed);
  };

  // Statistics and dictionary decision.
  let stats: Statistics;
  let dict: DictionaryPlan | undefined;
  switch (col.buffer) {
    case 'i32':
    case 'i64':
    case 'bool':
      stats =
        buf.valueCount > 0
          ? { nullCount: buf.nullCount, min: numericStatBytes(col.physical, buf.min), max: numericStatBytes(col.physical, buf.max) }
          : { nullCount: buf.nullCount };
      break;
    case 'enum': {
      const values = col.def.enumValues!;
      let min: string | undefined;
      let max: string | undefined;
      for (let c = 0; c < values.length; c++) {
        if (buf.usedCodes[c] === 0) continue;
        const s = values[c]!;
        if (min === undefined || compareUtf8(s, min) < 0) min = s;
        if (max === undefined || compareUtf8(s, max) > 0) max = s;
      }
      stats = min !== undefined && max !== undefined ? { nullCount: buf.nullCount, min: utf8Bytes(min), max: utf8Bytes(max) } : { nullCount: buf.nullCount };
      dict = { entries: values, indices: new Int32Array(0), bitWidth: bitWidthOf(values.length - 1) };
      break;
    }
    case 'string': {
      dict = planStringDictionary(buf.strings, scratch);
      const mm = stringMinMax(dict !== undefined ? dict.entries : buf.strings);
      stats = mm !== undefined ? { nullCount: buf.nullCount, ...mm } : { nullCount: buf.nullCount };
      break;
    }
  }

  if (dict !== undefined) dictionaryPage(dict.entries);
  const dataPageOffset = pos;

  // Rows per page for fixed-size values.
  const valueBytes = dict !== undefined ? Math.max(dict.bitWidth / 8, 0.125) : col.buffer === 'bool' ? 0.125 : col.buffer === 'i64' ? 8 : 4;
  const rowsPerPage = Math.max(1, Math.min(MAX_PAGE_ROWS, Math.floor(pageBytes / valueBytes)));
  const sink = scratch.body;
  const levels = buf.levels;

  let v = 0; // first value of the page
  let r = 0; // first row of the page
  if (rows === 0) {
    // An empty chunk still has one (empty) data page, so readers see a well-formed column.
    sink.reset();
    if (col.optional) definitionLevels(levels, 0, 0, sink);
    if (dict !== undefined) sink.u8(dict.bitWidth);
    page(sink.view(), 0, dict !== undefined ? Encoding.RLE_DICTIONARY : Encoding.PLAIN);
  }
  while (r < rows) {
    let rEnd: number;
    let vEnd: number;
    sink.reset();
    if (col.buffer === 'string' && dict === undefined) {
      // Variable-size values: cut the page once its bytes reach pageBytes.
      const strings = buf.strings;
      if (col.optional) {
        let rr = r;
        let vv = v;
        let bytes = 0;
        while (rr < rows && bytes < pageBytes) {
          if (levels[rr] === 1) bytes += 4 + strings[vv++]!.length;
          rr++;
        }
        rEnd = rr;
        vEnd = vv;
        definitionLevels(levels, r, rEnd, sink);
        for (let i = v; i < vEnd; i++) plainString(strings[i]!, sink);
      } else {
        const start = sink.pos;
        let i = v;
        while (i < rows && sink.pos - start < pageBytes) plainString(strings[i++]!, sink);
        rEnd = i;
        vEnd = i;
      }
      page(sink.view(), rEnd - r, Encoding.PLAIN);
    } else {
      rEnd = Math.min(rows, r + rowsPerPage);
      if (col.optional) {
        let present = 0;
        for (let i = r; i < rEnd; i++) present += levels[i]!;
        vEnd = v + present;
        definitionLevels(levels, r, rEnd, sink);
      } else {
        vEnd = rEnd;
      }
      if (dict !== undefined) {
        sink.u8(dict.bitWidth);
        rleHybrid(col.buffer === 'enum' ? buf.bytes : dict.indices, v, vEnd, dict.bitWidth, sink);
        page(sink.view(), rEnd - r, Encoding.RLE_DICTIONARY);
      } else if (col.buffer === 'bool') {
        plainBoolean(buf.bytes, v, vEnd, sink);
        page(sink.view(), rEnd - r, Encoding.PLAIN);
      } else {
        const values = col.buffer === 'i64' ? plainInt64View(buf.words, v, vEnd) : plainInt32View(buf.i32, v, vEnd);
        if (col.optional) {
          sink.bytes(values);
          page(sink.view(), rEnd - r, Encoding.PLAIN);
        } else {
          page(values, rEnd - r, Encoding.PLAIN); // straight from the typed array, no copy
        }
      }
    }
    r = rEnd;
    v = vEnd;
  }

  const encodings: Encoding[] = [Encoding.PLAIN];
  if (col.optional) encodings.push(Encoding.RLE);
  if (dict !== undefined) encodings.push(Encoding.RLE_DICTIONARY);

  const meta: ColumnChunkMeta = {
    type: col.physical,
    encodings,
    path: [col.def.name],
    codec: codec.codec,
    numValues: rows,
    totalUncompressedSize: uncompressedTotal,
    totalCompressedSize: compressedTotal,
    dataPageOffset,
    ...(dictionaryPageOffset !== undefined ? { dictionaryPageOffset } : {}),
    statistics: stats,
  };
  return { pieces, meta };
}
