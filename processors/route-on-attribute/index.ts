import { defineProcessor } from '../../sdk';
import { EvaluationFailures } from '../bounded/failures';
import { expressionLimitProperties, limitsOf } from '../bounded/jsonata';
import { checkExpressions, compileExpression, isTruthy, pointer } from '../expressions';
import { transferToMatches } from '../route-matches';

export default defineProcessor({
  type: 'RouteOnAttribute',
  category: 'route',
  description:
    'Routes each FlowFile by named JSONata predicates over {attributes, content}: one relationship per route, plus unmatched.',
  input: 'required',
  routes: true,
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      routes: {
        type: 'object',
        propertyNames: { pattern: '^[A-Za-z0-9_.-]+$', not: { enum: ['unmatched', 'failure'] } },
        additionalProperties: { type: 'string', 'x-format': 'jsonata' },
        default: {},
        description: 'Relationship name → JSONata predicate; a FlowFile goes where its predicate is true.',
      },
      strategy: {
        enum: ['first-match', 'all-matches'],
        default: 'first-match',
        description:
          'first-match: the first true route in order; all-matches: every true route (a clone per extra route).',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
      ...expressionLimitProperties,
    },
  },
  relationships: [
    { name: 'unmatched', description: 'No predicate was true.' },
    {
      name: 'failure',
      description:
        'A predicate failed to evaluate or exceeded its time or depth limit; the error is in attribute "route.error".',
    },
  ],
  dynamicRelationships: (config) =>
    Object.entries(config.routes).map(([name, source]) => ({ name, description: `Predicate is true: ${source}` })),
  validate: (config) => checkExpressions(Object.entries(config.routes).map(([k, v]) => [`/routes/${pointer(k)}`, v])),
  setup: (config) => {
    const limits = limitsOf(config);
    return {
      routes: Object.entries(config.routes).map(([name, source]) => ({
        name,
        expr: compileExpression(source, limits),
      })),
    };
  },
  async onTrigger(session, { config, state, logger }) {
    const failures = new EvaluationFailures(session, 'route.error');
    for (const ff of await session.get(config.batchSize)) {
      if (failures.timedOut) {
        failures.requeue(ff);
        continue;
      }
      let matched: string[];
      let current: (typeof state.routes)[number] | undefined;
      try {
        matched = [];
        for (const r of state.routes) {
          current = r;
          let result = r.expr.evaluate(ff);
          if (result instanceof Promise) result = await result;
          if (isTruthy(result)) {
            matched.push(r.name);
            if (config.strategy === 'first-match') break;
          }
        }
      } catch (err) {
        failures.fail(ff, err, current && { label: `of route "${current.name}"`, source: current.expr.source });
        continue;
      }
      transferToMatches(session, ff, matched, 'RouteOnAttribute.Route');
    }
    failures.report(logger);
  },
});
