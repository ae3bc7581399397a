import type { z } from 'zod';
import type { ValidationIssue } from './errors.js';

/**
 * The issues of a zod error as candlelab validation issues, each naming its dotted path
 * (`model.params.learningRate`). An issue at the root has no field, or `rootField` when given.
 * Takes classic and `zod/mini` errors alike.
 */
export function zodIssues(error: z.core.$ZodError, rootField?: string): ValidationIssue[] {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || rootField;
    return field ? { field, reason: issue.message } : { reason: issue.message };
  });
}
