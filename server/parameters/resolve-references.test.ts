import { describe, expect, test } from 'vitest';
import { type ParameterLookup, resolveConfig, resolveString, tokenize } from './resolve-references';

/** A lookup over a plain table (name → value, or [value, sensitive]). */
function lookup(table: Record<string, string | undefined | [string | undefined, boolean]>): ParameterLookup {
  return {
    get: (name) => {
      if (!Object.hasOwn(table, name)) return undefined;
      const entry = table[name];
      const [value, sensitive] = Array.isArray(entry) ? entry : [entry, false];
      return { value, sensitive, context: 'dev' };
    },
    missing: (name) => `parameter "${name}" is not defined in context "dev" (bound at /parameterContext)`,
  };
}

const ctx = (
  table: Parameters<typeof lookup>[0] = {},
  env: Record<string, string | undefined> = {},
  refuseEnv?: (name: string) => string | undefined,
) => ({ parameters: lookup(table), env, refuseEnv });

describe('tokenize', () => {
  test('references, text, and NiFi escapes: ## before { is one literal #', () => {
    expect(tokenize('a #{x} b')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'param', name: 'x' },
      { kind: 'text', text: ' b' },
    ]);
    expect(tokenize('##{x}')).toEqual([{ kind: 'text', text: '#{x}' }]);
    expect(tokenize('###{x}')).toEqual([
      { kind: 'text', text: '#' },
      { kind: 'param', name: 'x' },
    ]);
    expect(tokenize('####{x}')).toEqual([{ kind: 'text', text: '##{x}' }]);
    expect(tokenize('# and ## alone')).toEqual([{ kind: 'text', text: '# and ## alone' }]);
    expect(tokenize('#{broker.url} #{a b-c_d}')).toEqual([
      { kind: 'param', name: 'broker.url' },
      { kind: 'text', text: ' ' },
      { kind: 'param', name: 'a b-c_d' },
    ]);
  });

  test('environment references, with and without a default', () => {
    expect(tokenize(`\${env:HOME}/x \${env:PORT:-8080}`)).toEqual([
      { kind: 'env', name: 'HOME' },
      { kind: 'text', text: '/x ' },
      { kind: 'env', name: 'PORT', fallback: '8080' },
    ]);
    // The connectors' own ${NAME} is left to them.
    expect(tokenize(`\${AMQP_URL:-amqp://localhost}`)).toEqual([
      { kind: 'text', text: `\${AMQP_URL:-amqp://localhost}` },
    ]);
  });

  test('malformed references are named', () => {
    expect(tokenize('#{}')[0]).toMatchObject({ kind: 'malformed' });
    expect(tokenize('#{bad!name}')[0]).toMatchObject({ kind: 'malformed', message: expect.stringContaining('##{') });
    expect(tokenize('#{open')[0]).toMatchObject({ kind: 'malformed' });
    expect(tokenize(`\${env:1X}`)[0]).toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining(`\${env:NAME:-default}`),
    });
  });
});

describe('resolveString', () => {
  test('substitutes parameters and variables; an unset variable without default is a problem', () => {
    const r = resolveString(`#{host}:\${env:PORT:-5672}/\${env:VHOST}`, ctx({ host: 'mq' }, { VHOST: 'v' }));
    expect(r.value).toBe('mq:5672/v');
    expect(r.problems).toEqual([]);
    expect(r.parameters).toEqual(['host']);
    const unset = resolveString(`\${env:NOPE}`, ctx());
    expect(unset.problems).toEqual([expect.stringContaining('environment variable NOPE is not set')]);
    // An empty variable is set (to "").
    expect(resolveString(`[\${env:EMPTY:-d}]`, ctx({}, { EMPTY: '' })).value).toBe('[]');
  });

  test('unknown parameters, parameters without value, no context bound', () => {
    expect(resolveString('#{x}', ctx()).problems).toEqual([
      'parameter "x" is not defined in context "dev" (bound at /parameterContext)',
    ]);
    expect(resolveString('#{x}', ctx({ x: undefined })).problems).toEqual([
      'parameter "x" of context "dev" has no value',
    ]);
    expect(resolveString('#{x}', { parameters: undefined, env: {} }).problems).toEqual([
      expect.stringMatching(/^parameter "x": no parameter context is bound/),
    ]);
  });

  test('refused environment variables', () => {
    const r = resolveString(
      `\${env:SECRET_KEY}`,
      ctx({}, { SECRET_KEY: 'k' }, (n) => `no ${n}`),
    );
    expect(r.problems).toEqual(['no SECRET_KEY']);
    expect(r.value).toBe('');
  });

  test('a sensitive reference stays as written in what checks see, and is replaced in what runs', () => {
    const r = resolveString('amqp://app:#{pw}@mq/', ctx({ pw: ['hunter2', true] }));
    expect(r.value).toBe('amqp://app:hunter2@mq/');
    expect(r.shown).toBe('amqp://app:#{pw}@mq/');
    expect(r.sensitive).toEqual([{ name: 'pw', urlPassword: true }]);
    const elsewhere = resolveString('pw is #{pw}', ctx({ pw: ['hunter2', true] }));
    expect(elsewhere.sensitive).toEqual([{ name: 'pw', urlPassword: false }]);
    // Once as a URL password and once elsewhere: not only a URL password.
    const both = resolveString('amqp://a:#{pw}@h #{pw}', ctx({ pw: ['x', true] }));
    expect(both.sensitive[0]!.urlPassword).toBe(false);
  });
});

describe('resolveConfig', () => {
  const schema = {
    type: 'object',
    properties: {
      batch: { type: 'integer' },
      ratio: { type: 'number' },
      on: { type: 'boolean' },
      version: { type: 'integer', enum: [4, 5] },
      either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      password: { type: 'string', 'x-sensitive': true },
      nested: {
        type: 'object',
        properties: { list: { type: 'array', items: { type: 'integer' } } },
        additionalProperties: { type: 'string' },
      },
    },
  };

  test('resolves strings at any depth; a lone reference becomes the type the schema wants', () => {
    const config = {
      batch: '#{n}',
      ratio: `\${env:RATIO}`,
      on: '#{flag}',
      version: '#{v}',
      either: '#{n}',
      nested: { list: ['#{n}', 3], label: 'n=#{n}', deeper: { x: ['#{n}'] } },
      untouched: 12,
    };
    const r = resolveConfig(config, schema, ctx({ n: '42', flag: 'true', v: '5' }, { RATIO: '0.5' }));
    expect(r.issues).toEqual([]);
    expect(r.shown).toEqual({
      batch: 42,
      ratio: 0.5,
      on: true,
      version: 5,
      either: '42', // a string is accepted there: it stays one
      nested: { list: [42, 3], label: 'n=42', deeper: { x: ['42'] } },
      untouched: 12,
    });
    expect(r.parameters.sort()).toEqual(['flag', 'n', 'v']);
    // The input is not changed.
    expect(config.batch).toBe('#{n}');
  });

  test('a value that does not convert is an issue at the property, naming the parameter', () => {
    const r = resolveConfig(
      { batch: '#{n}', on: `\${env:ON}` },
      schema,
      ctx({ n: 'many' }, { ON: 'yes' }),
      '/p/0/config',
    );
    expect(r.issues).toEqual([
      { path: '/p/0/config/batch', message: 'parameter "n" is "many", which is not an integer' },
      { path: '/p/0/config/on', message: 'environment variable ON is "yes", which is not a boolean' },
    ]);
    expect(resolveConfig({ batch: '#{n}' }, schema, ctx({ n: '1.5' })).issues[0]!.message).toMatch(/not an integer/);
  });

  test('issues name JSON pointers (escaped keys, array indexes)', () => {
    const r = resolveConfig({ nested: { 'a/b': '#{x}', list: ['#{y}'] } }, schema, ctx(), '/c');
    expect(r.issues.map((i) => i.path)).toEqual(['/c/nested/a~1b', '/c/nested/list/0']);
  });

  test('sensitive values: patches carry them, `shown` never does; misuse is an issue', () => {
    const table = { pw: ['hunter2', true] as [string, boolean], plain: 'p' };
    const ok = resolveConfig({ password: '#{pw}', nested: { url: 'nats://me:#{pw}@h:4222' } }, schema, ctx(table));
    expect(ok.issues).toEqual([]);
    expect(JSON.stringify(ok.shown)).not.toContain('hunter2');
    expect(ok.patches).toEqual([
      { keys: ['password'], value: 'hunter2' },
      { keys: ['nested', 'url'], value: 'nats://me:hunter2@h:4222' },
    ]);
    const notSensitive = resolveConfig({ password: '#{plain}' }, schema, ctx(table));
    expect(notSensitive.issues).toEqual([
      {
        path: '/password',
        message:
          'password must be a reference to a sensitive parameter, e.g. "#{rabbit.password}": parameter "plain" is not sensitive',
      },
    ]);
    const misused = resolveConfig({ nested: { label: 'the password is #{pw}' } }, schema, ctx(table));
    expect(misused.issues).toEqual([
      { path: '/nested/label', message: expect.stringMatching(/^sensitive parameter "pw" can only be referenced by/) },
    ]);
    // Never converted to another type, never shown in a message.
    const typed = resolveConfig({ batch: '#{pw}' }, schema, ctx(table));
    expect(JSON.stringify(typed.issues)).not.toContain('hunter2');
  });

  test('JSONata keeps working: $ syntax untouched, references substituted', () => {
    const r = resolveConfig(
      { e: '$sum(content.items.price) > #{limit} ? "##{x}" : $string($now())' },
      {},
      ctx({ limit: '10' }),
    );
    expect(r.shown).toEqual({ e: '$sum(content.items.price) > 10 ? "#{x}" : $string($now())' });
  });
});
