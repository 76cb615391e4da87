import { type Attributes, defineProcessor } from '../../sdk';
import { EvaluationFailures } from '../bounded/failures';
import { expressionLimitProperties, limitsOf } from '../bounded/jsonata';
import { checkExpressions, compileExpression, pointer, toAttributeValue } from '../expressions';

export default defineProcessor({
  type: 'EvaluateJSONata',
  category: 'transform',
  description:
    'Evaluates named JSONata expressions over {attributes, content} and puts the results into attributes (or into the content).',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      expressions: {
        type: 'object',
        additionalProperties: { type: 'string', 'x-format': 'jsonata' },
        default: {},
        description:
          'Name → JSONata expression. With destination attributes, each result is stored in the attribute of that name (objects and arrays as JSON).',
      },
      destination: {
        enum: ['attributes', 'content'],
        default: 'attributes',
        description:
          'attributes: one attribute per expression; content: the content becomes the result (one expression) or a JSON object of all results.',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
      ...expressionLimitProperties,
    },
  },
  relationships: [
    { name: 'matched', description: 'Every expression produced a value.' },
    { name: 'unmatched', description: 'At least one expression produced no value; nothing was changed.' },
    {
      name: 'failure',
      description:
        'An expression failed to evaluate or exceeded its time or depth limit; the error is in "evaluate.error".',
    },
  ],
  validate: (config) =>
    checkExpressions(Object.entries(config.expressions).map(([k, v]) => [`/expressions/${pointer(k)}`, v])),
  setup: (config) => {
    const limits = limitsOf(config);
    return {
      exprs: Object.entries(config.expressions).map(([name, source]) => ({
        name,
        expr: compileExpression(source, limits),
      })),
    };
  },
  async onTrigger(session, { config, state, logger }) {
    const failures = new EvaluationFailures(session, 'evaluate.error');
    for (const ff of await session.get(config.batchSize)) {
      if (failures.timedOut) {
        failures.requeue(ff);
        continue;
      }
      const results = new Map<string, unknown>();
      let current: (typeof state.exprs)[number] | undefined;
      try {
        for (const e of state.exprs) {
          current = e;
          results.set(e.name, await e.expr.evaluate(ff));
        }
      } catch (err) {
        failures.fail(ff, err, current && { label: `"${current.name}"`, source: current.expr.source });
        continue;
      }
      const missing = [...results].filter(([, v]) => v === undefined).map(([k]) => k);
      if (missing.length > 0) {
        session.transfer(session.putAttributes(ff, { 'evaluate.unmatched': missing.join(',') }), 'unmatched');
        continue;
      }
      if (results.size === 0) {
        session.transfer(ff, 'matched');
        continue;
      }
      if (config.destination === 'attributes') {
        const set: Attributes = {};
        for (const [name, value] of results) set[name] = toAttributeValue(value)!;
        session.transfer(session.putAttributes(ff, set), 'matched');
        continue;
      }
      const value = results.size === 1 ? [...results.values()][0] : Object.fromEntries(results);
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const mime = typeof value === 'string' ? 'text/plain' : 'application/json';
      session.transfer(session.putAttributes(session.write(ff, text), { 'mime.type': mime }), 'matched');
    }
    failures.report(logger);
  },
});
