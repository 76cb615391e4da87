import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { defineProcessor, failWith } from '../../sdk';

type Format = 'gzip' | 'deflate' | 'brotli';

const EXTENSION: Record<Format, string> = { gzip: '.gz', deflate: '.zz', brotli: '.br' };
const MIME: Record<Format, string> = {
  gzip: 'application/gzip',
  deflate: 'application/zlib',
  brotli: 'application/x-brotli',
};

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const deflate = promisify(zlib.deflate);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliCompress);
const unbrotli = promisify(zlib.brotliDecompress);

function compressor(format: Format, level: number): (data: Buffer) => Promise<Buffer> {
  if (format === 'brotli') {
    const params = level < 0 ? {} : { [zlib.constants.BROTLI_PARAM_QUALITY]: Math.min(level, 11) };
    return (data) => brotli(data, { params });
  }
  const options = level < 0 ? {} : { level: Math.min(level, 9) };
  return format === 'gzip' ? (data) => gzip(data, options) : (data) => deflate(data, options);
}

function decompressor(format: Format, maxOutputLength: number): (data: Buffer) => Promise<Buffer> {
  const options = { maxOutputLength };
  if (format === 'brotli') return (data) => unbrotli(data, options);
  return format === 'gzip' ? (data) => gunzip(data, options) : (data) => inflate(data, options);
}

export default defineProcessor({
  type: 'CompressContent',
  category: 'transform',
  description: 'Compresses or decompresses content with gzip, deflate (zlib) or brotli.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      mode: { enum: ['compress', 'decompress'], default: 'compress', description: 'Compress or decompress.' },
      format: {
        enum: ['gzip', 'deflate', 'brotli'],
        default: 'gzip',
        description: 'gzip (.gz), deflate in a zlib wrapper (.zz) or brotli (.br).',
      },
      level: {
        type: 'integer',
        minimum: -1,
        maximum: 11,
        default: -1,
        description: 'Compression level: 0 (none) to 9 (gzip/deflate) or 11 (brotli); -1 = the library default.',
      },
      updateFilename: {
        type: 'boolean',
        default: true,
        description: 'Add the format\'s extension to "filename" when compressing, remove it when decompressing.',
      },
      maxDecompressedSize: {
        type: 'integer',
        minimum: 1,
        maximum: 2147483647,
        default: 1073741824,
        description: 'Decompressing to more bytes than this goes to failure (a guard against zip bombs).',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 1000, default: 20, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    { name: 'success', description: 'The compressed or decompressed content; mime.type is updated.' },
    {
      name: 'failure',
      description:
        'Content that is not valid in the format, or too large decompressed; the reason is in "compress.error".',
    },
  ],
  setup: (config) => ({
    run:
      config.mode === 'compress'
        ? compressor(config.format, config.level)
        : decompressor(config.format, config.maxDecompressedSize),
    extension: EXTENSION[config.format],
  }),
  async onTrigger(session, { config, state }) {
    const ffs = await session.get(config.batchSize);
    const results = await Promise.allSettled(ffs.map((ff) => state.run(ff.content)));
    ffs.forEach((ff, i) => {
      const result = results[i]!;
      if (result.status === 'rejected') {
        failWith(session, ff, 'compress.error', result.reason);
        return;
      }
      const attributes: Record<string, string> = {};
      const filename = ff.attributes.filename;
      if (config.mode === 'compress') {
        attributes['mime.type'] = MIME[config.format];
        if (config.updateFilename && filename) attributes.filename = filename + state.extension;
      } else {
        attributes['mime.type'] = 'application/octet-stream';
        if (config.updateFilename && filename?.endsWith(state.extension))
          attributes.filename = filename.slice(0, -state.extension.length);
      }
      session.transfer(session.putAttributes(session.write(ff, result.value), attributes), 'success');
    });
  },
});
