/**
 * What an expression processor does when an evaluation fails or runs out of budget: the FlowFile goes to
 * `failure` with the reason in the processor's error attribute, and once per trigger a bulletin (the logger's
 * warn) names the expression, how many FlowFiles it failed for and why. After a time-limit failure the rest of
 * the batch goes back to the queue, so one trigger lasts about one time limit and a stop request is prompt.
 */
import { type FlowFile, failWith, type ProcessorLogger, type ProcessSession } from '../../sdk';
import { errorText } from '../text';
import { ExpressionLimitError } from './jsonata';

const SHOWN_SOURCE = 200;

/** Which expression failed: its source, and a label when the processor has several (`for attribute "x"`). */
export interface FailedExpression {
  label?: string;
  source: string;
}

interface Failed {
  label?: string;
  source: string;
  message: string;
  ids: string[];
}

export class EvaluationFailures {
  private readonly byExpression = new Map<string, Failed>();
  /** An evaluation in this trigger ran out of time: stop evaluating, requeue what is left. */
  timedOut = false;

  constructor(
    private readonly session: ProcessSession,
    /** The attribute that carries the reason, e.g. "update.error". */
    private readonly attribute: string,
  ) {}

  /** Sends `ff` to failure with the reason and remembers it for the bulletin. */
  fail(ff: FlowFile, err: unknown, expression?: FailedExpression): void {
    const message = errorText(err);
    if (err instanceof ExpressionLimitError && err.limit === 'time') this.timedOut = true;
    if (expression) {
      const key = `${expression.label ?? ''}\u0000${expression.source}\u0000${message}`;
      let entry = this.byExpression.get(key);
      if (!entry) {
        entry = { ...expression, message, ids: [] };
        this.byExpression.set(key, entry);
      }
      entry.ids.push(ff.id);
    }
    failWith(this.session, ff, this.attribute, message);
  }

  /** FlowFiles not evaluated because an earlier one timed out: back to the queue, unchanged. */
  requeue(ff: FlowFile): void {
    this.session.requeue(ff);
  }

  /** One bulletin per failing expression and reason. */
  report(logger: ProcessorLogger): void {
    for (const f of this.byExpression.values()) {
      const shown = f.source.length > SHOWN_SOURCE ? `${f.source.slice(0, SHOWN_SOURCE)}…` : f.source;
      logger.warn(
        { flowFileIds: f.ids, expression: shown },
        `expression${f.label ? ` ${f.label}` : ''} failed for ${f.ids.length} FlowFile(s), sent to failure: ${f.message}; expression: ${shown}`,
      );
    }
  }
}
