/**
 * FileLookupService: a lookup service (kind lookup-service) over a CSV or JSON file, keyed by one of its fields.
 * The file must lie in the allowed directories. It is reloaded when it changes: a lookup checks the file's
 * modification time and size at most once per second; a reload that fails keeps the previous table and logs one
 * warning until a reload succeeds again.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { insideAny, realRoots } from '../../processors/file-access';
import {
  checkAllowedDirectory,
  defineService,
  errorText,
  LOOKUP_SERVICE,
  type LookupService,
  type ProcessorLogger,
  type RecordObject,
} from '../../sdk';
import { parseTable, type TableFormat } from './parse-table';

/** How often a lookup may look at the file for changes. */
const CHECK_INTERVAL_MS = 1000;

interface TableSource {
  file: string;
  format: TableFormat;
  keyField: string;
  delimiter: string;
  allowedDirs: readonly string[];
}

/** The table of the file as it is now; throws when the file is outside the allowed directories or does not parse. */
async function loadTable(source: TableSource, logger: ProcessorLogger): Promise<Map<string, RecordObject>> {
  const real = await realpath(source.file);
  const roots = await realRoots(source.allowedDirs);
  if (!insideAny(roots, real))
    throw new Error(
      `lookup file "${source.file}" resolves to "${real}", outside the allowed directories: ${roots.join(', ')}`,
    );
  let table: ReturnType<typeof parseTable>;
  try {
    table = parseTable(await readFile(real, 'utf8'), source.format, source.keyField, source.delimiter);
  } catch (err) {
    throw new Error(`lookup file "${source.file}" (${source.format}): ${errorText(err)}`);
  }
  if (table.keyless > 0)
    logger.warn(
      { file: source.file, records: table.keyless },
      `records without a "${source.keyField}" value are not looked up`,
    );
  return table.map;
}

/** The table, reloaded when the file's modification time or size changed. */
class ReloadingTable implements LookupService {
  private checkedAt = Date.now();
  private checking: Promise<void> | undefined;
  private warned = false;

  constructor(
    private readonly source: TableSource,
    private readonly logger: ProcessorLogger,
    private map: Map<string, RecordObject>,
    private stamp: string,
  ) {}

  static async open(source: TableSource, logger: ProcessorLogger): Promise<ReloadingTable> {
    const stamp = await stampOf(source.file);
    return new ReloadingTable(source, logger, await loadTable(source, logger), stamp);
  }

  async lookup(key: string): Promise<RecordObject | undefined> {
    if (Date.now() - this.checkedAt >= CHECK_INTERVAL_MS) {
      this.checking ??= this.check().finally(() => {
        this.checking = undefined;
      });
      await this.checking;
    }
    const found = this.map.get(key);
    // A shallow copy: a processor that sets fields on the result cannot change the table.
    return found && { ...found };
  }

  private async check(): Promise<void> {
    this.checkedAt = Date.now();
    try {
      const stamp = await stampOf(this.source.file);
      if (stamp === this.stamp) return;
      this.map = await loadTable(this.source, this.logger);
      this.stamp = stamp;
      this.warned = false;
      this.logger.info({ file: this.source.file, keys: this.map.size }, 'lookup file reloaded');
    } catch (err) {
      this.logger.debug({ file: this.source.file, error: errorText(err) }, 'lookup file still not reloadable');
      if (!this.warned)
        this.logger.warn(
          { file: this.source.file, error: errorText(err) },
          'lookup file changed but could not be reloaded; the previous table stays in use',
        );
      this.warned = true;
    }
  }
}

async function stampOf(file: string): Promise<string> {
  const s = await stat(file);
  return `${s.mtimeMs}:${s.size}`;
}

export default defineService({
  type: 'FileLookupService',
  description:
    'A lookup service over a CSV (with a header line) or JSON file (an array of objects, or JSON lines), keyed by one field; reloaded when the file changes. LookupRecord enriches records from it.',
  provides: [LOOKUP_SERVICE],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      path: {
        type: 'string',
        default: '',
        description: 'The lookup file; it must lie in the allowed directories. Required.',
      },
      format: {
        enum: ['csv', 'json'],
        default: 'csv',
        description:
          'csv: a header line names the fields, every value is text; json: an array of objects, or JSON lines.',
      },
      keyField: {
        type: 'string',
        default: '',
        description: 'The field whose value is the key (a column of the CSV, a top-level field of the JSON). Required.',
      },
      delimiter: { type: 'string', minLength: 1, maxLength: 4, default: ',', description: 'CSV field separator.' },
    },
  },
  validate(config, { allowedDirs }) {
    const issues = [];
    if (config.path === '') issues.push({ path: '/path', message: 'name the lookup file' });
    else issues.push(...checkAllowedDirectory(path.dirname(path.resolve(config.path)), '/path', allowedDirs));
    if (config.keyField === '') issues.push({ path: '/keyField', message: 'name the field whose value is the key' });
    return issues;
  },
  enable: (config, ctx): Promise<LookupService> =>
    ReloadingTable.open(
      {
        file: path.resolve(config.path),
        format: config.format,
        keyField: config.keyField,
        delimiter: config.delimiter,
        allowedDirs: ctx.allowedDirs,
      },
      ctx.logger,
    ),
});
