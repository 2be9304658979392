import { type } from 'arktype';
import { AppError } from './errors.ts';

type Validator<T> = (data: unknown) => T | type.errors;

/**
 * Validate `data` with an ArkType Type and return it typed, or throw `AppError('INVALID_INPUT')` whose `problems`
 * name every bad field. `what` names the thing being read (e.g. "signals snapshot") so the message says where.
 */
export function parseOrThrow<T>(schema: Validator<T>, data: unknown, what: string): T {
  const out = schema(data);
  if (out instanceof type.errors) {
    const problems: Record<string, string[]> = {};
    for (const [path, messages] of Object.entries(out.flatProblemsByPath)) problems[path || '(root)'] = [...messages];
    throw new AppError('INVALID_INPUT', `invalid ${what}: ${out.summary}`, { status: 400, problems });
  }
  return out;
}

/** Parse JSON text without ever producing `any`; a syntax error becomes `AppError('INVALID_INPUT')`. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('INVALID_INPUT', `invalid ${what}: not valid JSON (${reason})`, {
      status: 400,
      problems: { '(root)': [`not valid JSON: ${reason}`] },
    });
  }
}
