import { defineProcessor } from '../../sdk';
import { EvaluationFailures } from '../bounded/failures';
import { expressionLimitProperties, limitsOf } from '../bounded/jsonata';
import { checkExpressions, compileExpression } from '../expressions';
import { decodeText } from '../text';

export default defineProcessor({
  type: 'TransformJSON',
  category: 'transform',
  description:
    'Replaces the content with the result of a JSONata expression over {attributes, content} (content parsed as JSON when it is JSON): objects, arrays and numbers are written as JSON, strings as they are.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      expression: {
        type: 'string',
        minLength: 1,
        'x-format': 'jsonata',
        default: 'content',
        description: 'JSONata expression producing the new content, e.g. content.items[price > 10].{"sku": sku}.',
      },
      indent: {
        type: 'integer',
        minimum: 0,
        maximum: 8,
        default: 0,
        description: 'Spaces of indentation in the JSON written (0 = compact).',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
      ...expressionLimitProperties,
    },
  },
  relationships: [
    {
      name: 'success',
      description: 'The transformed content; mime.type is application/json (text/plain for a string).',
    },
    {
      name: 'failure',
      description:
        'Content that is not UTF-8, an expression error or one beyond its time or depth limit, or no result; the reason is in "transformjson.error".',
    },
  ],
  validate: (config) => checkExpressions([['/expression', config.expression]]),
  setup: (config) => ({ expr: compileExpression(config.expression, limitsOf(config)) }),
  async onTrigger(session, { config, state, logger }) {
    const failures = new EvaluationFailures(session, 'transformjson.error');
    const expression = { source: config.expression };
    for (const ff of await session.get(config.batchSize)) {
      if (failures.timedOut) {
        failures.requeue(ff);
        continue;
      }
      let result: unknown;
      try {
        decodeText(ff.content, 'utf8');
      } catch (err) {
        failures.fail(ff, err);
        continue;
      }
      try {
        result = await state.expr.evaluate(ff);
      } catch (err) {
        failures.fail(ff, err, expression);
        continue;
      }
      try {
        if (result === undefined) throw new Error('the expression produced no result');
        const isString = typeof result === 'string';
        const text = typeof result === 'string' ? result : JSON.stringify(result, null, config.indent || undefined);
        const out = session.write(ff, text);
        session.transfer(
          session.putAttributes(out, { 'mime.type': isString ? 'text/plain' : 'application/json' }),
          'success',
        );
      } catch (err) {
        failures.fail(ff, err);
      }
    }
    failures.report(logger);
  },
});
