import { applyDecorators, Body, Param, Query } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';

import { ZodValidationPipe } from '../http/validation';

type SchemaObject = Exclude<NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string], { $ref: string }>;

/** zod → OpenAPI 3.0 schema: one schema gives the type, the validation and the docs. */
export function toOpenApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json as SchemaObject;
}

type ParamDecorator = (target: object, key: string | symbol | undefined, index: number) => void;

/** Applies a method decorator from inside a parameter decorator, so one annotation validates and documents. */
function alsoOnMethod(target: object, key: string | symbol | undefined, decorator: MethodDecorator): void {
  if (key === undefined) return;
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor) decorator(target, key, descriptor);
}

/** `@ZodBody(schema) body: z.output<typeof schema>`: validated JSON body, documented in OpenAPI. */
export function ZodBody(schema: z.ZodType): ParamDecorator {
  return (target, key, index) => {
    Body(new ZodValidationPipe(schema, 'body'))(target, key as string, index);
    alsoOnMethod(target, key, ApiBody({ schema: toOpenApiSchema(schema, 'input') }));
  };
}

/** `@ZodQuery(schema) query`: every query parameter validated and coerced, each documented. */
export function ZodQuery(schema: z.ZodObject): ParamDecorator {
  return (target, key, index) => {
    Query(new ZodValidationPipe(schema, 'query'))(target, key as string, index);
    for (const [name, field] of Object.entries(schema.shape)) {
      const fieldSchema = field as z.ZodType;
      alsoOnMethod(
        target,
        key,
        ApiQuery({
          name,
          required: !fieldSchema.safeParse(undefined).success,
          schema: toOpenApiSchema(fieldSchema, 'input'),
          description: fieldSchema.description,
        }),
      );
    }
  };
}

/** `@ZodParam('id', z.uuid()) id: string`: a validated path parameter. */
export function ZodParam(name: string, schema: z.ZodType): ParamDecorator {
  return (target, key, index) => {
    Param(name, new ZodValidationPipe(schema, 'path', name))(target, key as string, index);
    alsoOnMethod(target, key, ApiParam({ name, schema: toOpenApiSchema(schema, 'input') }));
  };
}

/** Documents a response body with its zod schema. */
export function ApiZodResponse(status: number, schema: z.ZodType, description = 'OK'): MethodDecorator {
  return applyDecorators(ApiResponse({ status, description, schema: toOpenApiSchema(schema, 'output') }));
}
