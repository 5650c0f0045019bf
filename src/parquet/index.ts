// Public entry point of the Parquet sink: the streaming encoder and the compression option parser.
export { ParquetEncoder, DEFAULT_PAGE_BYTES, DEFAULT_ROW_GROUP_BYTES, PARQUET_MAGIC, type ParquetEncoderOptions } from './parquetEncoder.js';
export { COMPRESSIONS, DEFAULT_COMPRESSION, parseCompression, type ParquetCompression } from './compression.js';
