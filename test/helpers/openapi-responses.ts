import type { OpenAPIObject } from '@nestjs/swagger';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * OpenAPI 3.0 → JSON Schema draft-07 for Ajv: 3.0 writes an exclusive bound as a boolean beside
 * `minimum`/`maximum`, draft-07 as the bound itself. `nullable` Ajv reads as it is, but applies an
 * `enum` to null too, where 3.0.0's `nullable` admits null beside the listed values.
 */
function draft07(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(draft07);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key] = draft07(value);
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (out[flag] === true) {
      out[flag] = out[bound];
      delete out[bound];
    } else if (out[flag] === false) delete out[flag];
  }
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

/**
 * Checks real responses against the response schemas of the published OpenAPI document (what a
 * client generator reads), with every undocumented field an error where the schema closes its object.
 */
export class OpenApiResponses {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenAPIObject) {
    addFormats(this.ajv);
  }

  /** The documented JSON schema of `METHOD /path` (OpenAPI path template) at `status`, if any. */
  schemaOf(method: string, path: string, status: number): object | undefined {
    const operation = (this.document.paths[path] as Record<string, { responses?: Record<string, unknown> }>)?.[
      method.toLowerCase()
    ];
    const response = operation?.responses?.[String(status)] as
      { content?: Record<string, { schema?: object }> } | undefined;
    return response?.content?.['application/json']?.schema;
  }

  /** The validation errors of `body` (empty when it matches); throws when nothing is documented. */
  errors(method: string, path: string, status: number, body: unknown): string[] {
    const key = `${method.toUpperCase()} ${path} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const schema = this.schemaOf(method, path, status);
      if (!schema) throw new Error(`${key}: no response schema documented`);
      validate = this.ajv.compile(draft07(schema) as object);
      this.compiled.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${key}: ${e.instancePath || '(body)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    );
  }
}
