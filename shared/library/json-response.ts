/** Reading an answer's JSON body against its zod schema. */
import type * as z from 'zod';
import { protocolError } from './error-mapping.ts';
import type { ExchangeResponse } from './http.ts';
import { redactText } from './redact.ts';

/**
 * Parses and validates a JSON answer; a body that is not JSON or does not fit `schema` is a
 * LibraryProtocolError. With `emptyAs`, an empty body stands for that value.
 */
export function parseJson<S extends z.ZodType>(
  response: ExchangeResponse,
  schema: S,
  options: { emptyAs?: unknown } = {},
): z.output<S> {
  const text = response.bodyText.trim();
  const value = text === '' && 'emptyAs' in options ? options.emptyAs : parseText(response, text);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw protocolError(
    response.context,
    response.status,
    `sent an unexpected body (${redactText(problems, response.context.secrets)})`,
  );
}

function parseText(response: ExchangeResponse, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw protocolError(response.context, response.status, 'sent a body that is not JSON', error);
  }
}
