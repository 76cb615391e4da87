import { defineProcessor, failWith } from '../../sdk';

export default defineProcessor({
  type: 'RetryFlowFile',
  category: 'route',
  description:
    'Counts retries in an attribute: routes to retry (to loop back to the step that failed) until the count reaches maxRetries, then to retries_exceeded.',
  input: 'required',
  routes: true,
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      retryAttribute: {
        type: 'string',
        minLength: 1,
        default: 'flowfile.retries',
        description: 'Attribute holding the number of retries so far (absent = 0).',
      },
      maxRetries: {
        type: 'integer',
        minimum: 0,
        maximum: 1000000,
        default: 3,
        description: 'Retries allowed; a FlowFile that has had this many goes to retries_exceeded.',
      },
      resetOnExceeded: {
        type: 'boolean',
        default: false,
        description: 'Remove the retry attribute from FlowFiles sent to retries_exceeded.',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    { name: 'retry', description: 'Retries left: the count is incremented.' },
    { name: 'retries_exceeded', description: 'The count reached maxRetries.' },
    {
      name: 'failure',
      description: 'The retry attribute is not a non-negative integer; the reason is in "retry.error".',
    },
  ],
  async onTrigger(session, { config }) {
    const name = config.retryAttribute;
    for (const ff of await session.get(config.batchSize)) {
      const raw = ff.attributes[name];
      const count = raw === undefined ? 0 : Number(raw);
      if (!Number.isInteger(count) || count < 0 || raw?.trim() === '') {
        const message = `attribute "${name}" is ${JSON.stringify(raw)}, not a non-negative integer`;
        failWith(session, ff, 'retry.error', message);
      } else if (count < config.maxRetries) {
        session.transfer(session.putAttributes(ff, { [name]: String(count + 1) }), 'retry');
      } else {
        session.transfer(config.resetOnExceeded ? session.removeAttributes(ff, [name]) : ff, 'retries_exceeded');
      }
    }
  },
});
