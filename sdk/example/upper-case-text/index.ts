import { defineProcessor, failWith, size } from '@sluice/sdk';

export default defineProcessor({
  type: 'UpperCaseText',
  category: 'transform',
  description: 'Upper-cases text content; content too large or not valid UTF-8 goes to failure.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      maxSize: size('Larger content goes to failure.', '1 MB'),
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    { name: 'success', description: 'The content, upper-cased.' },
    { name: 'failure', description: 'Content larger than maxSize or not valid UTF-8; "uppercase.error" says why.' },
  ],
  async onTrigger(session, ctx) {
    const flowFiles = await session.get(ctx.config.batchSize);
    if (flowFiles.length === 0) return;
    let done = Number(ctx.getState()?.done ?? 0);
    for (const ff of flowFiles) {
      if (ff.size > ctx.config.maxSize) {
        failWith(session, ff, 'uppercase.error', `larger than ${ctx.config.maxSize} bytes`);
        continue;
      }
      const text = ff.content.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(ff.content)) {
        failWith(session, ff, 'uppercase.error', 'not valid UTF-8');
        continue;
      }
      session.transfer(session.write(ff, text.toUpperCase()), 'success');
      done++;
    }
    session.setState({ done: String(done) });
  },
});
