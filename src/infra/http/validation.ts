import { ArgumentMetadata, HttpStatus, Injectable, PipeTransform, UnprocessableEntityException } from '@nestjs/common';
import { z } from 'zod';

export type RequestPart = 'body' | 'query' | 'path';

/** One FastAPI-style validation problem: the React client reads `detail` in this shape. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
}

/** 422 whose `detail` lists every offending field, like the reference system's validation errors. */
export class RequestValidationError extends UnprocessableEntityException {
  constructor(readonly issues: ValidationIssue[]) {
    super({ statusCode: HttpStatus.UNPROCESSABLE_ENTITY, issues });
  }

  /** "body.amount: Transaction amount cannot be zero; query.limit: …" */
  get summary(): string {
    return this.issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; ');
  }
}

export function toValidationIssues(error: z.ZodError, part: RequestPart, field?: string): ValidationIssue[] {
  return error.issues.map((issue) => ({
    type: issue.code,
    loc: [part, ...(field ? [field] : []), ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    msg: issue.message,
  }));
}

/** Parses one part of the request with a zod schema; the parsed (coerced, defaulted) value reaches the handler. */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform {
  constructor(
    private readonly schema: S,
    private readonly part: RequestPart,
    /** For a single path/query value: its name, so the error still says which field. */
    private readonly field?: string,
  ) {}

  transform(value: unknown, _meta: ArgumentMetadata): z.output<S> {
    // A JSON body that is missing altogether reaches us as undefined; validate it as an empty object
    // so the error names the missing fields instead of saying "expected object".
    const input = value === undefined && !this.field ? {} : value;
    // PostgreSQL text cannot hold NUL: refused here, naming the field, instead of failing in the database.
    const nulAt = pathOfNul(input);
    if (nulAt) {
      throw new RequestValidationError([
        {
          type: 'nul_character',
          loc: [this.part, ...(this.field ? [this.field] : []), ...nulAt],
          msg: 'must not contain NUL (\\u0000) characters',
        },
      ]);
    }
    const result = this.schema.safeParse(input);
    if (!result.success) throw new RequestValidationError(toValidationIssues(result.error, this.part, this.field));
    return result.data;
  }
}

/** Where in a parsed request value (object keys included) a string holds a NUL character, if anywhere. */
export function pathOfNul(value: unknown, depth = 0): (string | number)[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? [] : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner = pathOfNul(value[i], depth + 1);
      if (inner) return [i, ...inner];
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000')) return [key];
    const found = pathOfNul(inner, depth + 1);
    if (found) return [key, ...found];
  }
  return undefined;
}

/** Validates a single value (used by services for inputs that do not come from a DTO, e.g. CSV rows). */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart): z.output<S> {
  return new ZodValidationPipe(schema, part).transform(value, { type: 'custom' });
}
