import { defineProcessor } from '../../sdk';
import { EvaluationFailures } from '../bounded/failures';
import { expressionLimitProperties, limitsOf } from '../bounded/jsonata';
import { checkExpressions, compileExpression } from '../expressions';
import { FRAGMENT_COUNT, FRAGMENT_ID, fragmentAttributes } from '../fragments';
import { decodeText, errorText } from '../text';

export default defineProcessor({
  type: 'SplitJSON',
  category: 'transform',
  description:
    'Splits a JSON array, found by a JSONata expression, into one FlowFile per element (FORK provenance, fragment.* attributes for MergeContent to reassemble).',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        'x-format': 'jsonata',
        default: 'content',
        description:
          'JSONata expression over {attributes, content} yielding the array to split, e.g. content.orders; a single value counts as an array of one.',
      },
      batchSize: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        default: 10,
        description: 'FlowFiles split per session.',
      },
      ...expressionLimitProperties,
    },
  },
  relationships: [
    {
      name: 'split',
      description:
        'One FlowFile per element: objects, arrays and numbers as JSON, strings as they are; fragment.identifier, fragment.index (0-based), fragment.count, segment.original.filename.',
    },
    { name: 'original', description: 'The FlowFile that was split, with fragment.identifier and fragment.count.' },
    {
      name: 'failure',
      description:
        'Content that is not JSON, an expression error or one beyond its time or depth limit, or no value at the path; the reason is in "split.error".',
    },
  ],
  validate: (config) => checkExpressions([['/path', config.path]]),
  setup: (config) => ({ path: compileExpression(config.path, limitsOf(config)) }),
  async onTrigger(session, { config, state, logger }) {
    const failures = new EvaluationFailures(session, 'split.error');
    for (const ff of await session.get(config.batchSize)) {
      if (failures.timedOut) {
        failures.requeue(ff);
        continue;
      }
      let content: unknown;
      try {
        content = JSON.parse(decodeText(ff.content, 'utf8'));
      } catch (err) {
        failures.fail(ff, new Error(`content is not JSON: ${errorText(err)}`));
        continue;
      }
      let found: unknown;
      try {
        found = await state.path.evaluateWith({ attributes: ff.attributes, content });
      } catch (err) {
        failures.fail(ff, err, { source: config.path });
        continue;
      }
      if (found === undefined) {
        failures.fail(ff, new Error(`no value at ${config.path}`));
        continue;
      }
      const elements = Array.isArray(found) ? found : [found];
      elements.forEach((element, index) => {
        const child = session.create({
          parents: [ff],
          content: typeof element === 'string' ? element : JSON.stringify(element),
          attributes: {
            ...fragmentAttributes(ff, index, elements.length),
            'mime.type': typeof element === 'string' ? 'text/plain' : 'application/json',
          },
        });
        session.transfer(child, 'split');
      });
      const original = session.putAttributes(ff, { [FRAGMENT_ID]: ff.id, [FRAGMENT_COUNT]: String(elements.length) });
      session.transfer(original, 'original');
    }
    failures.report(logger);
  },
});
