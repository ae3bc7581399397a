import { ValidationError, type ValidationIssue } from '@candlelab/core';

/** Why a webhook request was refused (also the `error` field of the JSON answer). */
export type WebhookRejection =
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'request_timeout'
  | 'malformed_json'
  | 'unauthorized'
  | 'invalid_alert'
  | 'stale_alert'
  | 'future_alert'
  | 'duplicate'
  | 'processing_failed';

/** The HTTP status answered for each {@link WebhookRejection}. */
export const WEBHOOK_REJECTION_STATUS: Readonly<Record<WebhookRejection, number>> = {
  method_not_allowed: 405,
  payload_too_large: 413,
  request_timeout: 408,
  malformed_json: 400,
  unauthorized: 401,
  invalid_alert: 422,
  stale_alert: 422,
  future_alert: 422,
  duplicate: 409,
  processing_failed: 500,
};

/**
 * A webhook alert was refused: it is not authentic, not JSON, not a valid alert, or outside its
 * freshness window. `reason` is the machine-readable cause, `status` the HTTP status to answer,
 * and each issue names the field (`time`, `secret`, `x-signature`, `price`, …) that failed.
 */
export class WebhookRejectedError extends ValidationError {
  readonly reason: WebhookRejection;
  readonly status: number;

  constructor(reason: WebhookRejection, issues: readonly ValidationIssue[]) {
    super(`webhook alert refused (${reason})`, issues);
    this.reason = reason;
    this.status = WEBHOOK_REJECTION_STATUS[reason];
  }

  /** The issues as one line, for the `detail` field of the JSON answer. */
  get detail(): string {
    return this.issues.map((i) => (i.field ? `${i.field}: ${i.reason}` : i.reason)).join('; ');
  }
}
