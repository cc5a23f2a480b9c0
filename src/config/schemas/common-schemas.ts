/** Small schemas that several parts of the config share: names, header names, Prometheus metric names. */

import { z } from 'zod';

export const nameSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores');

/** Metric names tried in order, the first one present wins (newer engine versions renamed some). */
export const metricNamesSchema = z.array(z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name')).min(1);
export const headerNameSchema = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name').transform((name) => name.toLowerCase());

/** An absolute URL whose scheme matches `scheme` and that `new URL` can parse (a space or a bad port is refused, not found at the first call). */
export function urlSchema(scheme: RegExp, schemeMessage: string) {
  return z.string().superRefine((url, context) => {
    if (!scheme.test(url)) context.addIssue({ code: 'custom', message: schemeMessage });
    else if (!URL.canParse(url)) context.addIssue({ code: 'custom', message: `"${url}" is not a valid URL` });
  });
}
