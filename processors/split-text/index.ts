import { defineProcessor, failWith } from '../../sdk';
import { FRAGMENT_COUNT, FRAGMENT_ID, fragmentAttributes } from '../fragments';
import { splitLines, trimNewlines } from './lines';

export default defineProcessor({
  type: 'SplitText',
  category: 'transform',
  description:
    'Splits text into FlowFiles of N lines each, repeating header lines in every split (FORK provenance, fragment.* attributes for MergeContent to reassemble).',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      lineCount: {
        type: 'integer',
        minimum: 1,
        default: 1,
        description: 'Lines per split (header lines not counted).',
      },
      headerLineCount: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'Lines at the start that form a header, copied to the start of every split.',
      },
      removeTrailingNewlines: {
        type: 'boolean',
        default: false,
        description:
          'Strip line breaks at the end of each split and drop splits that are only line breaks; off, the splits concatenate back to the original.',
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
      name: 'splits',
      description:
        'One FlowFile per group of lines, with fragment.identifier, fragment.index (0-based), fragment.count, segment.original.filename and text.line.count.',
    },
    { name: 'original', description: 'The FlowFile that was split, with fragment.identifier and fragment.count.' },
    { name: 'failure', description: 'Content with fewer lines than the header; the reason is in "split.error".' },
  ],
  async onTrigger(session, { config }) {
    for (const ff of await session.get(config.batchSize)) {
      const lines = splitLines(ff.content);
      if (lines.length < config.headerLineCount) {
        const message = `content has ${lines.length} line(s), fewer than headerLineCount (${config.headerLineCount})`;
        failWith(session, ff, 'split.error', message);
        continue;
      }
      const header = Buffer.concat(lines.slice(0, config.headerLineCount));
      const chunks: { content: Buffer; lines: number }[] = [];
      for (let i = config.headerLineCount; i < lines.length; i += config.lineCount) {
        const group = lines.slice(i, i + config.lineCount);
        let body: Buffer = Buffer.concat(group);
        if (config.removeTrailingNewlines) {
          body = trimNewlines(body);
          if (body.length === 0) continue;
        }
        chunks.push({ content: header.length > 0 ? Buffer.concat([header, body]) : body, lines: group.length });
      }
      chunks.forEach((chunk, index) => {
        const child = session.create({
          parents: [ff],
          content: chunk.content,
          attributes: { ...fragmentAttributes(ff, index, chunks.length), 'text.line.count': String(chunk.lines) },
        });
        session.transfer(child, 'splits');
      });
      const original = session.putAttributes(ff, { [FRAGMENT_ID]: ff.id, [FRAGMENT_COUNT]: String(chunks.length) });
      session.transfer(original, 'original');
    }
  },
});
