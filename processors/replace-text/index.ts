import { defineProcessor, failWith, formatSize, size } from '../../sdk';
import { checkRegexes, compileRegex, regexFlagsProperty } from '../bounded/regex';
import { decodeText, encodeText, encodingProperty, type TextEncoding } from '../text';

type Strategy = 'regex' | 'literal' | 'prepend' | 'append' | 'always-replace';

/** The replacement for one piece of text (the whole content or one line without its line break). */
function replacer(strategy: Strategy, search: string, replacement: string, flags: string): (text: string) => string {
  switch (strategy) {
    case 'regex': {
      const re = compileRegex(search, `g${flags}`);
      return (text) => text.replace(re, replacement);
    }
    case 'literal':
      // A function replacer, so "$1" or "$&" in the replacement stay literal too.
      return (text) => text.replaceAll(search, () => replacement);
    case 'prepend':
      return (text) => replacement + text;
    case 'append':
      return (text) => text + replacement;
    case 'always-replace':
      return () => replacement;
  }
}

/** Applies `fn` to each line, keeping the line breaks ("\n" or "\r\n") as they were. */
function perLine(text: string, fn: (line: string) => string): string {
  const parts = text.split(/(\r?\n)/);
  // parts alternates line, break, line, break, ..., line; a trailing break leaves a final "" that is not a line.
  const last = parts.length - 1;
  for (let i = 0; i < parts.length; i += 2) if (i < last || parts[i] !== '') parts[i] = fn(parts[i]!);
  return parts.join('');
}

export default defineProcessor({
  type: 'ReplaceText',
  category: 'transform',
  description:
    'Rewrites content: replaces regex matches or a literal string, prepends, appends or replaces everything, over the whole text or line by line.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      strategy: {
        enum: ['regex', 'literal', 'prepend', 'append', 'always-replace'],
        default: 'regex',
        description:
          'regex: replace every match of search (replacement may use $1, $<name>, $&); literal: replace every occurrence of search; prepend/append: add the replacement; always-replace: the replacement becomes the text.',
      },
      search: {
        type: 'string',
        default: '',
        description:
          'The regular expression (regex) or the exact text (literal) to find; unused by the other strategies.',
      },
      flags: regexFlagsProperty,
      replacement: { type: 'string', default: '', description: 'The text put in place of each match.' },
      evaluationMode: {
        enum: ['entire-text', 'line-by-line'],
        default: 'entire-text',
        description:
          'entire-text: apply once to the whole content; line-by-line: apply to each line, keeping line breaks.',
      },
      encoding: encodingProperty,
      maxBufferSize: size('Larger content goes to failure instead of being loaded as text.', '10 MB'),
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    { name: 'success', description: 'The content after replacement.' },
    {
      name: 'failure',
      description:
        'Content larger than maxBufferSize or not valid text in the encoding; the reason is in "replacetext.error".',
    },
  ],
  validate(config) {
    if (config.strategy === 'regex' || config.strategy === 'literal') {
      if (config.search === '')
        return [{ path: '/search', message: `must not be empty for strategy "${config.strategy}"` }];
      if (config.strategy === 'regex') return checkRegexes([['/search', config.search]], `g${config.flags}`);
    }
    return [];
  },
  setup: (config) => ({
    apply: replacer(config.strategy, config.search, config.replacement, config.flags),
    maxBytes: config.maxBufferSize,
  }),
  async onTrigger(session, { config, state }) {
    const encoding = config.encoding as TextEncoding;
    for (const ff of await session.get(config.batchSize)) {
      try {
        if (ff.size > state.maxBytes)
          throw new Error(`content is ${ff.size} bytes, more than maxBufferSize (${formatSize(config.maxBufferSize)})`);
        const text = decodeText(ff.content, encoding);
        const out = config.evaluationMode === 'line-by-line' ? perLine(text, state.apply) : state.apply(text);
        session.transfer(out === text ? ff : session.write(ff, encodeText(out, encoding)), 'success');
      } catch (err) {
        failWith(session, ff, 'replacetext.error', err);
      }
    }
  },
});
