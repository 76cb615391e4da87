import { defineProcessor, size } from '../../sdk';
import { checkRegexes, compileRegex, regexFlagsProperty } from '../bounded/regex';
import { pointer } from '../expressions';
import { transferToMatches } from '../route-matches';
import type { TextEncoding } from '../text';

export default defineProcessor({
  type: 'RouteOnContent',
  category: 'route',
  description:
    'Routes each FlowFile by regular expressions over its content: one relationship per rule, plus unmatched.',
  input: 'required',
  routes: true,
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      rules: {
        type: 'object',
        propertyNames: { pattern: '^[A-Za-z0-9_.-]+$', not: { enum: ['unmatched'] } },
        additionalProperties: { type: 'string', minLength: 1 },
        default: {},
        description: 'Relationship name → regular expression; a FlowFile goes where its content matches.',
      },
      flags: regexFlagsProperty,
      matchRequirement: {
        enum: ['contains', 'matches-entirely'],
        default: 'contains',
        description:
          'contains: the expression matches somewhere in the content; matches-entirely: it matches all of it.',
      },
      strategy: {
        enum: ['first-match', 'all-matches'],
        default: 'first-match',
        description:
          'first-match: the first matching rule in order; all-matches: every matching rule (a clone per extra rule).',
      },
      encoding: {
        enum: ['utf8', 'latin1'],
        default: 'utf8',
        description:
          'How content bytes are read as text (invalid UTF-8 reads as U+FFFD; latin1 maps each byte to one character).',
      },
      maxBufferSize: size('Only this much of the start of the content is examined.', '1 MB'),
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [{ name: 'unmatched', description: 'No rule matched.' }],
  dynamicRelationships: (config) =>
    Object.entries(config.rules).map(([name, source]) => ({ name, description: `Content matches /${source}/` })),
  validate: (config) =>
    checkRegexes(
      Object.entries(config.rules).map(([k, v]) => [`/rules/${pointer(k)}`, v]),
      config.flags,
    ),
  setup: (config) => ({
    rules: Object.entries(config.rules).map(([name, source]) => ({
      name,
      re: compileRegex(config.matchRequirement === 'matches-entirely' ? `^(?:${source})$` : source, config.flags),
    })),
    maxBytes: config.maxBufferSize,
  }),
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get(config.batchSize)) {
      const text = ff.content.subarray(0, state.maxBytes).toString(config.encoding as TextEncoding);
      const matched: string[] = [];
      for (const rule of state.rules) {
        if (rule.re.test(text)) {
          matched.push(rule.name);
          if (config.strategy === 'first-match') break;
        }
      }
      transferToMatches(session, ff, matched, 'RouteOnContent.Route');
    }
  },
});
