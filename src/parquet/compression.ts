// Page compression codecs for Parquet: snappy (the `snappy` napi package), zstd (`zstd-napi`),
// gzip (node:zlib) and none. Native packages load lazily, so a missing one only breaks its codec.
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { Codec } from './metadata.js';

export const COMPRESSIONS = ['snappy', 'zstd', 'gzip', 'none'] as const;
export type ParquetCompression = (typeof COMPRESSIONS)[number];
export const DEFAULT_COMPRESSION: ParquetCompression = 'snappy';

/** Validates a `--compression` value; the error names the option and the allowed values. */
export function parseCompression(name: string): ParquetCompression {
  const v = name.trim().toLowerCase();
  if ((COMPRESSIONS as readonly string[]).includes(v)) return v as ParquetCompression;
  throw new Error(`Invalid --compression "${name}": expected one of ${COMPRESSIONS.join(', ')}`);
}

/** Compresses one page body. The result never aliases the input. */
export type Compressor = (data: Uint8Array) => Uint8Array;

export interface CodecImpl {
  readonly codec: Codec;
  readonly compress: Compressor;
}

const require = createRequire(import.meta.url);
// Output copied into V8-owned memory: external Rust buffers are freed only when GC gets to them,
// which let a 128 MiB row group's pages hold hundreds of MB of RSS.
const COPY = { copyOutputData: true } as const;

function loadNative<T>(pkg: string, compression: string): T {
  try {
    return require(pkg) as T;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(
      `--compression ${compression} needs the npm package "${pkg}", which failed to load (${why}); ` +
        `reinstall dependencies with npm install, or choose another of ${COMPRESSIONS.join(', ')}`,
    );
  }
}

interface SnappyModule {
  compressSync(input: Uint8Array, options?: { copyOutputData?: boolean }): Uint8Array;
}
interface ZstdModule {
  Compressor: new () => { setParameters(p: { compressionLevel?: number }): void; compress(data: Uint8Array): Uint8Array };
}

/** Default levels: zstd 3 (zstd's own default); gzip 1, about 5× faster than zlib's 6 for ~12 % more bytes. */
export const DEFAULT_LEVEL: Readonly<Record<'zstd' | 'gzip', number>> = { zstd: 3, gzip: 1 };

/** The codec for a compression name; `level` applies to zstd and gzip. */
export function codecFor(compression: ParquetCompression, level?: number): CodecImpl {
  switch (compression) {
    case 'none':
      return { codec: Codec.UNCOMPRESSED, compress: (d) => d.slice() };
    case 'snappy': {
      const snappy = loadNative<SnappyModule>('snappy', compression);
      return { codec: Codec.SNAPPY, compress: (d) => snappy.compressSync(d, COPY) };
    }
    case 'zstd': {
      const zstd = loadNative<ZstdModule>('zstd-napi', compression);
      const c = new zstd.Compressor();
      c.setParameters({ compressionLevel: level ?? DEFAULT_LEVEL.zstd });
      return { codec: Codec.ZSTD, compress: (d) => c.compress(d) };
    }
    case 'gzip': {
      const opts = { level: level ?? DEFAULT_LEVEL.gzip };
      return { codec: Codec.GZIP, compress: (d) => gzipSync(d, opts) };
    }
  }
}
