import { defineProcessor } from '../../server/engine/contract';
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
        'Content that is not JSON, an expression error, or no value at the path; the reason is in "split.error".',
    },
  ],
  validate: (config) => checkExpressions([['/path', config.path]]),
  setup: (config) => ({ path: compileExpression(config.path) }),
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get(config.batchSize)) {
      let elements: unknown[];
      try {
        let content: unknown;
        try {
          content = JSON.parse(decodeText(ff.content, 'utf8'));
        } catch (err) {
          throw new Error(`content is not JSON: ${errorText(err)}`);
        }
        const found = await state.path.evaluateWith({ attributes: ff.attributes, content });
        if (found === undefined) throw new Error(`no value at ${config.path}`);
        elements = Array.isArray(found) ? found : [found];
      } catch (err) {
        session.transfer(session.putAttributes(ff, { 'split.error': errorText(err) }), 'failure');
        continue;
      }
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
  },
});
