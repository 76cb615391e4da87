import { describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import ValidateJSON from '.';

const orderSchema = {
  type: 'object',
  required: ['id', 'amount'],
  properties: {
    id: { type: 'string', minLength: 1 },
    amount: { type: 'number', minimum: 0 },
    email: { type: 'string', format: 'email' },
  },
};

function errorsOf(ff: { attributes: Readonly<Record<string, string>> }) {
  return JSON.parse(ff.attributes['json.validation.errors']!);
}

describe('ValidateJSON', () => {
  test('routes valid and invalid content, naming each error with its JSON path', async () => {
    const run = processorRunner(ValidateJSON, { schema: orderSchema });
    run.enqueue('{"id":"o-1","amount":12.5,"email":"a@b.co"}');
    run.enqueue('{"id":"","amount":-1,"email":"nope"}');
    await run.trigger();
    expect(run.transferred('valid')).toHaveLength(1);
    const [invalid] = run.transferred('invalid');
    expect(errorsOf(invalid!)).toEqual([
      { path: '/id', message: 'must NOT have fewer than 1 characters' },
      { path: '/amount', message: 'must be >= 0' },
      { path: '/email', message: 'must match format "email"' },
    ]);
  });

  test('a draft-07 schema is honoured', async () => {
    const run = processorRunner(ValidateJSON, {
      schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'array', items: { type: 'integer' } },
    });
    run.enqueue('[1,2]');
    run.enqueue('[1,"x"]');
    await run.trigger();
    expect(run.transferred('valid')).toHaveLength(1);
    expect(errorsOf(run.transferred('invalid')[0]!)).toEqual([{ path: '/1', message: 'must be integer' }]);
  });

  test('empty, non-JSON and non-UTF-8 content is invalid, not an error', async () => {
    const run = processorRunner(ValidateJSON, {});
    run.enqueue('');
    run.enqueue('{oops');
    run.enqueue(Buffer.from([0x22, 0xff, 0x22]));
    await run.trigger();
    const errors = run.transferred('invalid').map((f) => errorsOf(f)[0].message);
    expect(errors).toEqual([
      expect.stringMatching(/^content is not JSON: Unexpected end/),
      expect.stringMatching(/^content is not JSON/),
      'content is not JSON: content is not valid UTF-8',
    ]);
  });

  test('at most 20 errors are reported; a large valid document passes', async () => {
    const run = processorRunner(ValidateJSON, { schema: { type: 'array', items: { type: 'string' } } });
    run.enqueue(JSON.stringify(Array.from({ length: 100 }, (_, i) => i)));
    run.enqueue(JSON.stringify(Array.from({ length: 100_000 }, (_, i) => `v${i}`)));
    await run.trigger();
    expect(errorsOf(run.transferred('invalid')[0]!)).toHaveLength(20);
    expect(run.transferred('valid')).toHaveLength(1);
  });

  test('a schema that does not compile is a config error at /schema', () => {
    expect(configIssues(ValidateJSON, { schema: { type: 'nonsense' } })).toEqual([
      { path: '/schema', message: expect.stringMatching(/^invalid JSON Schema: schema is invalid/) },
    ]);
  });

  test('schema patterns run on RE2: a ReDoS pattern answers, a lookahead is refused at its path', async () => {
    const run = processorRunner(ValidateJSON, { schema: { type: 'string', pattern: '^(a+)+$' } });
    run.enqueue(JSON.stringify(`${'a'.repeat(50_000)}!`));
    await run.trigger();
    expect(run.transferred('invalid')).toHaveLength(1);
    expect(
      configIssues(ValidateJSON, { schema: { properties: { pw: { type: 'string', pattern: '^(?=.*\\d)' } } } }),
    ).toEqual([
      { path: '/schema/properties/pw/pattern', message: expect.stringMatching(/^lookahead is not supported/) },
    ]);
  });
});
