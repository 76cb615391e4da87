import type { ValidationIssue } from '../validation/ajv';

/** A flow (or a part of one) failed validation; `issues` name JSON paths. The API answers 400. */
export class FlowValidationError extends Error {
  constructor(
    readonly issues: ValidationIssue[],
    message?: string,
  ) {
    super(message ?? `invalid flow: ${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`);
  }
}

/** No such flow, processor, connection or FlowFile. The API answers 404. */
export class NotFoundError extends Error {}

/** The request clashes with the current state (id taken, flow invalid or stopped, queue not empty). 409. */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly details: ValidationIssue[] = [],
  ) {
    super(message);
  }
}

/** What was asked for existed but is gone for good (content aged out of the archive). The API answers 410. */
export class GoneError extends Error {}
