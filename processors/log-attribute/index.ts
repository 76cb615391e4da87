import { defineProcessor } from '../../sdk';

export default defineProcessor({
  type: 'LogAttribute',
  category: 'sink',
  description: "Logs each FlowFile's attributes (and optionally its content, truncated) through the server's logger.",
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      logLevel: {
        enum: ['debug', 'info', 'warn', 'error', 'none'],
        default: 'info',
        description: 'Level of the log line; none logs nothing (a counting sink).',
      },
      logPayload: { type: 'boolean', default: false, description: 'Also log the content, as UTF-8, truncated.' },
      maxPayloadBytes: {
        type: 'integer',
        minimum: 0,
        maximum: 1048576,
        default: 1024,
        description: 'At most this many bytes of content are logged.',
      },
      prefix: { type: 'string', default: '', description: 'Text put before each log line.' },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [{ name: 'success', description: 'Every FlowFile after it was logged.' }],
  // Each line also goes to the flow's debug panel (ctx.debug); logLevel none logs nothing there either.
  async onTrigger(session, { config, logger, debug }) {
    for (const ff of await session.get(config.batchSize)) {
      if (config.logLevel !== 'none') {
        const line: Record<string, unknown> = { flowFileId: ff.id, size: ff.size, attributes: ff.attributes };
        const content = config.logPayload ? ff.content.subarray(0, config.maxPayloadBytes).toString('utf8') : undefined;
        if (content !== undefined) line.content = content;
        const message = `${config.prefix}FlowFile ${ff.id}`;
        logger[config.logLevel](line, message);
        debug({ message, flowFileId: ff.id, attributes: ff.attributes, ...(content !== undefined && { content }) });
      }
      session.transfer(ff, 'success');
    }
  },
});
