/** Hostile expressions and regular expressions: ReDoS patterns, JSONata loops, recursion, huge ranges, nesting. */
import type { HostileFixture } from './hostile-runner';

const COUNT = 3;
const timeLimit = /evaluation stopped after \d+ ms \(expressionTimeout\)/;
const depthLimit = /deeper than \d+ levels \(expressionMaxDepth\)/;
const sizeLimit = /more than 1000000 items/;
/** The bulletin names the expression (its text) and the reason. */
const bulletin = (text: string, reason: RegExp) =>
  new RegExp(
    `failed for \\d+ FlowFile\\(s\\), sent to failure: .*${reason.source}.*; expression: .*${text.replace(/[$()[\]*+.?^{}|\\]/g, '\\$&')}`,
  );

export const expressionFixtures: HostileFixture[] = [
  // Regular expressions run on RE2: the catastrophic patterns answer at once with the right result.
  { file: 'redos-replace-text-nested-quantifier.json', expect: { queued: { connection: 'attack-out', count: COUNT } } },
  { file: 'redos-replace-text-line-by-line.json', expect: { queued: { connection: 'attack-out', count: COUNT } } },
  {
    file: 'redos-route-on-content-alternation.json',
    expect: { queued: { connection: 'attack-out', count: COUNT, attribute: ['RouteOnContent.Route', /^unmatched$/] } },
  },
  {
    file: 'redos-route-on-content-matches-entirely.json',
    expect: { queued: { connection: 'attack-out', count: COUNT, attribute: ['RouteOnContent.Route', /^unmatched$/] } },
  },
  {
    file: 'redos-validate-json-schema-pattern.json',
    expect: { queued: { connection: 'attack-out', count: COUNT, attribute: ['json.validation.errors', /pattern/] } },
  },
  {
    file: 'redos-jsonata-regex-literal.json',
    expect: { queued: { connection: 'attack-out', count: COUNT, attribute: ['evil', /^false$/] } },
  },
  // What RE2 cannot run, and constant ranges too large to build, are refused at import with their path.
  {
    file: 'rejected-replace-text-backreference.json',
    expect: {
      rejected: {
        path: '/processors/2/config/search',
        message: /^backreferences are not supported: Sluice runs regular expressions with RE2/,
      },
    },
  },
  {
    file: 'rejected-route-on-content-lookbehind.json',
    expect: { rejected: { path: '/processors/2/config/rules/odd', message: /^lookbehind is not supported/ } },
  },
  {
    file: 'rejected-constant-huge-range.json',
    expect: {
      rejected: {
        path: '/processors/1/config/attributes/big',
        message: /^the range \[1\.\.10000000\] has 10000000 items/,
      },
    },
  },
  // JSONata runs under its budget: each FlowFile goes to failure with the reason, and a bulletin names the expression.
  {
    file: 'jsonata-tail-recursion-update-attribute.json',
    expect: {
      queued: {
        connection: 'attack-failure',
        count: COUNT,
        attribute: ['update.error', timeLimit],
        bulletin: bulletin('$f($n + 1)', timeLimit),
      },
    },
  },
  {
    file: 'jsonata-recursion-route-on-attribute.json',
    expect: {
      queued: {
        connection: 'attack-failure',
        count: COUNT,
        attribute: ['route.error', depthLimit],
        bulletin: bulletin('1 + $f($n - 1)', depthLimit),
      },
    },
  },
  {
    file: 'jsonata-huge-range-evaluate-jsonata.json',
    expect: {
      queued: {
        connection: 'attack-failure',
        count: COUNT,
        attribute: ['evaluate.error', sizeLimit],
        bulletin: bulletin('[1..$number(attributes.n)]', sizeLimit),
      },
    },
  },
  {
    file: 'jsonata-slow-work-evaluate-jsonata.json',
    expect: {
      queued: {
        connection: 'attack-failure',
        count: COUNT,
        attribute: ['evaluate.error', /evaluation stopped after 300 ms/],
      },
    },
  },
  {
    file: 'jsonata-deep-nesting-transform-json.json',
    expect: { queued: { connection: 'attack-failure', count: COUNT, attribute: ['transformjson.error', depthLimit] } },
  },
  {
    file: 'jsonata-tail-recursion-split-json.json',
    expect: {
      queued: {
        connection: 'attack-failure',
        count: COUNT,
        attribute: ['split.error', timeLimit],
        bulletin: bulletin('$f($x)', timeLimit),
      },
    },
  },
  {
    file: 'jsonata-mutual-recursion-transform-json.json',
    expect: { queued: { connection: 'attack-failure', count: COUNT, attribute: ['transformjson.error', depthLimit] } },
  },
];
