import { type Attributes, defineProcessor } from '../../sdk';
import { EvaluationFailures } from '../bounded/failures';
import { expressionLimitProperties, limitsOf } from '../bounded/jsonata';
import { checkExpressions, compileExpression, pointer, toAttributeValue } from '../expressions';

export default defineProcessor({
  type: 'UpdateAttribute',
  category: 'transform',
  description:
    'Sets attributes from JSONata expressions over {attributes, content} and deletes attributes by name. A string literal needs quotes: "\\"eu\\"".',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      attributes: {
        type: 'object',
        additionalProperties: { type: 'string', 'x-format': 'jsonata' },
        default: {},
        description: 'Attribute name → JSONata expression; a result of undefined leaves the attribute as it is.',
      },
      delete: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        description: 'Attribute names to delete (uuid cannot be deleted).',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
      ...expressionLimitProperties,
    },
  },
  relationships: [
    { name: 'success', description: 'FlowFiles with their attributes updated.' },
    {
      name: 'failure',
      description:
        'An expression failed to evaluate or exceeded its time or depth limit; the error is in attribute "update.error".',
    },
  ],
  validate: (config) =>
    checkExpressions(Object.entries(config.attributes).map(([k, v]) => [`/attributes/${pointer(k)}`, v])),
  setup: (config) => {
    const limits = limitsOf(config);
    return {
      updates: Object.entries(config.attributes).map(([name, source]) => ({
        name,
        expr: compileExpression(source, limits),
      })),
    };
  },
  async onTrigger(session, { config, state, logger }) {
    const failures = new EvaluationFailures(session, 'update.error');
    for (let ff of await session.get(config.batchSize)) {
      if (failures.timedOut) {
        failures.requeue(ff);
        continue;
      }
      let current: (typeof state.updates)[number] | undefined;
      try {
        const set: Attributes = {};
        for (const u of state.updates) {
          current = u;
          // Fast-path expressions answer synchronously: await only a real Promise (no microtask per FlowFile).
          let result = u.expr.evaluate(ff);
          if (result instanceof Promise) result = await result;
          const value = toAttributeValue(result);
          if (value !== undefined) set[u.name] = value;
        }
        if (state.updates.length > 0) ff = session.putAttributes(ff, set);
        if (config.delete.length > 0) ff = session.removeAttributes(ff, config.delete);
        session.transfer(ff, 'success');
      } catch (err) {
        failures.fail(ff, err, current && { label: `for attribute "${current.name}"`, source: current.expr.source });
      }
    }
    failures.report(logger);
  },
});
