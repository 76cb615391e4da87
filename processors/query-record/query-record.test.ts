/**
 * QueryRecord through the processor harness with the real JSON and CSV readers and the JSON writer: one result
 * per query relationship, exact GROUP BY sums, original and invalid, zero-row results, hostile SQL refused
 * (setup for non-SELECTs, DuckDB's locked configuration for file access), syntax errors at their JSON path,
 * run-time errors and the time limit routed to failure, result values converted without loss.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { RecordReader, RecordWriter } from '../../sdk';
import { configIssues, type ProcessorRunner, processorRunner } from '../../sdk/testing';
import { enableService } from '../../services/broker-test-kit';
import CSVReader from '../../services/csv-reader';
import JsonRecordReader from '../../services/json-record-reader';
import JsonRecordSetWriter from '../../services/json-record-writer';
import QueryRecord from '.';
import { neededFields, needsOf } from './column-needs';
import { decimalValue } from './result-values';

const ORDERS = [
  { id: 1, region: 'eu', amount: 600.1, customer: { country: 'FR' } },
  { id: 2, region: 'us', amount: 20.2, customer: { country: 'US' } },
  { id: 3, region: 'eu', amount: 100.3, customer: { country: 'DE' } },
  { id: 4, region: 'eu', amount: 900.7, customer: { country: 'FR' } },
  { id: 5, region: 'apac', amount: 0.1, customer: { country: 'JP' } },
]
  .map((r) => JSON.stringify(r))
  .join('\n');

const runners: ProcessorRunner[] = [];

async function runner(config: object, reader: 'json' | 'csv' = 'json'): Promise<ProcessorRunner> {
  const services: Record<string, RecordReader | RecordWriter> = {
    json: (await enableService(JsonRecordReader, {})).instance,
    csv: (await enableService(CSVReader, {})).instance,
    out: (await enableService(JsonRecordSetWriter, {})).instance,
  };
  const run = processorRunner(
    QueryRecord,
    { reader: { service: reader }, writer: { service: 'out' }, ...config },
    {
      services,
    },
  );
  runners.push(run);
  return run;
}

const lines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const body = (run: ProcessorRunner, rel: string, i = 0) => lines(run.transferred(rel)[i]!.content.toString());

afterEach(async () => {
  for (const run of runners.splice(0)) await run.stop();
});

describe('QueryRecord', () => {
  test('each query result goes to its relationship; GROUP BY sums are exact; the input goes to original', async () => {
    const run = await runner({
      queries: {
        large_eu: "SELECT id, customer->>'country' AS country FROM FLOWFILE WHERE region = 'eu' AND amount > 500",
        by_region:
          'SELECT region, count(*) AS n, SUM(CAST(amount AS DECIMAL(18,2))) AS total FROM FLOWFILE GROUP BY region ORDER BY region',
      },
    });
    const input = run.enqueue(ORDERS, { filename: 'orders.jsonl' });
    await run.trigger();
    expect(body(run, 'large_eu')).toEqual([
      { id: 1, country: 'FR' },
      { id: 4, country: 'FR' },
    ]);
    expect(body(run, 'by_region')).toEqual([
      { region: 'apac', n: 1, total: 0.1 },
      { region: 'eu', n: 3, total: 1601.1 },
      { region: 'us', n: 1, total: 20.2 },
    ]);
    const [eu] = run.transferred('large_eu');
    expect(eu!.attributes).toMatchObject({
      'query.name': 'large_eu',
      'record.count': '2',
      'mime.type': 'application/x-ndjson',
      filename: 'orders.jsonl',
    });
    expect(run.transferred('original').map((f) => f.id)).toEqual([input.id]);
    expect(run.transferred('failure')).toHaveLength(0);
    const forks = run.provenance().filter((e) => e.type === 'FORK');
    expect(forks).toHaveLength(1);
    expect(forks[0]!.childIds).toHaveLength(2);
  });

  test('a result with no rows is an empty FlowFile, or nothing with includeZeroRecordResults off', async () => {
    const queries = { none: "SELECT * FROM FLOWFILE WHERE region = 'mars'" };
    const on = await runner({ queries });
    on.enqueue(ORDERS);
    await on.trigger();
    expect(on.transferred('none').map((f) => [f.content.toString(), f.attributes['record.count']])).toEqual([
      ['', '0'],
    ]);
    const off = await runner({ queries, includeZeroRecordResults: false });
    off.enqueue(ORDERS);
    await off.trigger();
    expect(off.transferred('none')).toHaveLength(0);
    expect(off.transferred('original')).toHaveLength(1);
  });

  test('CSV rows the reader refuses go to invalid with their line numbers; the rest are queried', async () => {
    const run = await runner({ queries: { total: 'SELECT count(*) AS n, sum(amount) AS s FROM FLOWFILE' } }, 'csv');
    run.enqueue('id,region,amount\n1,eu,10\n2,us,5,extra\n3,eu,7\n"4,eu,1\n');
    await run.trigger();
    expect(body(run, 'total')).toEqual([{ n: 2, s: 17 }]);
    const invalid = lines(run.transferred('invalid')[0]!.content.toString());
    expect(invalid.map((r) => r.line)).toEqual([3, 5]);
    expect(run.transferred('invalid')[0]!.attributes['record.count']).toBe('2');
  });

  test('non-SELECT statements and syntax errors are config issues at /queries/<name>, or refused at start', async () => {
    const base = { reader: { service: 'json' }, writer: { service: 'out' } };
    expect(
      configIssues(QueryRecord, { ...base, queries: { steal: "COPY (SELECT 1) TO '/tmp/x.csv'", ok: 'SELECT 1' } }),
    ).toEqual([{ path: '/queries/steal', message: 'only SELECT queries are allowed, this one starts with COPY' }]);
    expect(configIssues(QueryRecord, { ...base, queries: { failure: 'SELECT 1' } })[0]!.path).toBe('/queries');
    const broken = await runner({ queries: { bad: 'SELECT * FROM FLOWFILE WHERE' } });
    await expect(broken.start()).rejects.toThrow(/^query "bad" \(\/queries\/bad\): parser error: syntax error/);
    const two = await runner({ queries: { two: "SELECT 1; ATTACH '/tmp/x.db'" } });
    await expect(two.start()).rejects.toThrow(/\/queries\/two\): only SELECT queries are allowed/);
  });

  test('hostile SQL cannot reach files: the FlowFile goes to failure with DuckDB reason', async () => {
    const run = await runner({
      queries: { leak: "SELECT * FROM read_csv('/etc/passwd')", text: "SELECT * FROM read_text('/etc/hostname')" },
    });
    run.enqueue(ORDERS);
    await run.trigger();
    const [failed] = run.transferred('failure');
    expect(failed!.attributes['query.error']).toMatch(
      /^query "leak": Permission Error: Cannot access file "\/etc\/passwd" - file system operations are disabled/,
    );
    expect(run.transferred('leak')).toHaveLength(0);
    const other = await runner({ queries: { text: "SELECT * FROM read_text('/etc/hostname')" } });
    other.enqueue(ORDERS);
    await other.trigger();
    expect(other.transferred('failure')[0]!.attributes['query.error']).toMatch(/Permission Error/);
  });

  test('a failing query sends the input to failure and none of the results', async () => {
    const run = await runner({ queries: { first: 'SELECT id FROM FLOWFILE', second: 'SELECT nope FROM FLOWFILE' } });
    run.enqueue(ORDERS);
    await run.trigger();
    expect(run.transferred('first')).toHaveLength(0);
    expect(run.transferred('original')).toHaveLength(0);
    expect(run.transferred('failure')[0]!.attributes['query.error']).toMatch(/^query "second": Binder Error:.*nope/);
    expect(run.transferred('failure')[0]!.content.toString()).toBe(ORDERS);
  });

  test('a query longer than its timeout is interrupted and routed to failure', async () => {
    const run = await runner({ timeout: '200ms', queries: { slow: 'SELECT count(*) FROM range(1000000000000)' } });
    run.enqueue(ORDERS);
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes['query.error']).toBe(
      'query "slow": the query ran longer than its time limit (200 ms) and was interrupted',
    );
  });

  test('result values: safe integers as numbers, others and inexact decimals as text, dates ISO, nested', async () => {
    const run = await runner({
      queries: {
        values: `SELECT 9007199254740993::BIGINT AS big, 12::HUGEINT AS small, 123.40::DECIMAL(18,2) AS d,
          1234567890123456.78::DECIMAL(18,2) AS exact, DATE '2024-01-31' AS day,
          TIMESTAMP '2024-01-31 12:00:00.123' AS ts, [1, 2] AS list, {'a': 1, 'b': 'x'} AS struct, customer
          FROM FLOWFILE WHERE id = 1`,
      },
    });
    run.enqueue(ORDERS);
    await run.trigger();
    expect(body(run, 'values')).toEqual([
      {
        big: '9007199254740993',
        small: 12,
        d: 123.4,
        exact: '1234567890123456.78',
        day: '2024-01-31',
        ts: '2024-01-31T12:00:00.123Z',
        list: [1, 2],
        struct: { a: 1, b: 'x' },
        customer: { country: 'FR' },
      },
    ]);
  });

  test('only the fields the queries name are loaded, yet whole-row references and count(*) see every record', async () => {
    const run = await runner({
      queries: {
        rows: 'SELECT count(*) AS n FROM FLOWFILE',
        whole: 'SELECT f FROM FLOWFILE f WHERE f.id = 2',
        cased: 'SELECT "REGION", Amount FROM FLOWFILE WHERE ID = 5',
      },
    });
    run.enqueue(ORDERS);
    await run.trigger();
    expect(body(run, 'rows')).toEqual([{ n: 5 }]);
    expect(body(run, 'whole')).toEqual([{ f: { id: 2, region: 'us', amount: 20.2, customer: '{"country":"US"}' } }]);
    expect(body(run, 'cased')).toEqual([{ region: 'apac', amount: 0.1 }]);
  });

  test('a string field with few distinct values (loaded as an ENUM) still behaves as text in every query', async () => {
    const regions = ["o'hare", 'zürich', '', null, 'eu'];
    const many = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ id: i, region: regions[i % 5], tags: [i] }),
    ).join('\n');
    const run = await runner({
      queries: {
        groups: 'SELECT region, count(*) AS n FROM FLOWFILE GROUP BY region ORDER BY region NULLS LAST',
        text: "SELECT DISTINCT typeof(region) AS t FROM FLOWFILE WHERE region < 'p' AND region || '!' <> 'x'",
        view: "SELECT count(*) AS n FROM duckdb_views() WHERE view_name = 'FLOWFILE'",
        json: 'SELECT tags FROM FLOWFILE WHERE id = 3',
      },
    });
    run.enqueue(many);
    await run.trigger();
    expect(run.transferred('failure')).toHaveLength(0);
    expect(body(run, 'groups')).toEqual([
      { region: '', n: 8 },
      { region: 'eu', n: 8 },
      { region: "o'hare", n: 8 },
      { region: 'zürich', n: 8 },
      { region: null, n: 8 },
    ]);
    expect(body(run, 'text')).toEqual([{ t: 'VARCHAR' }]);
    expect(body(run, 'view')).toEqual([{ n: 1 }]); // the ENUM path: FLOWFILE is the view over it
    expect(body(run, 'json')).toEqual([{ tags: [3] }]);
  });

  test('the fields a query needs, from its syntax tree', () => {
    const fields = ['id', 'region', 'amount', 'name'].map((name) => ({ name }));
    const needs = (words: string[], star = false, bare: string[] = []) => ({
      star,
      words: new Set(words),
      bareRefs: new Set(bare),
    });
    expect(
      neededFields(fields, [needs(['region', 'amount', 'flowfile'], false, ['region'])]).map((f) => f.name),
    ).toEqual(['region', 'amount']);
    expect(neededFields(fields, [needs([], true)])).toHaveLength(4);
    expect(neededFields(fields, [needs(['f'], false, ['f'])])).toHaveLength(4);
    expect(needsOf({ class: 'STAR' }).star).toBe(true);
  });

  test('the decimal rule: at most 15 significant digits is a number', () => {
    expect(decimalValue('-0.0012')).toBe(-0.0012);
    expect(decimalValue('999999999999999.00')).toBe(999999999999999);
    expect(decimalValue('9999999999999999.00')).toBe('9999999999999999.00');
  });
});
