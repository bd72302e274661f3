import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export const API_NAME = 'FinCoach API';
export const API_VERSION = '1.0.0';
export const API_DESCRIPTION =
  'AI financial coaching backend: wallet and transactions, marketplace, behavioural analytics, and coaching from ONNX models (CQL policy, segmentation, LSTM forecaster, goal classifier) with rule fallbacks.';

const PUBLIC_MARKER = 'x-public';

/** The OpenAPI document; every operation not marked public declares bearer security. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(API_NAME)
    .setVersion(API_VERSION)
    .setDescription(API_DESCRIPTION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as Array<Record<string, unknown>>) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      if (operation[PUBLIC_MARKER]) {
        delete operation[PUBLIC_MARKER];
        delete operation.security;
      } else {
        operation.security = [{ bearer: [] }];
      }
    }
  }
  return document;
}

/** The interactive docs describe every route to whoever asks: served outside production only. */
export function openApiServed(env: string): boolean {
  return env !== 'production';
}

/** Where the docs are served, for the routes that point to them; none where they are not served. */
export function docsLinks(env: string): { docs?: string; openapi?: string } {
  return openApiServed(env) ? { docs: '/docs', openapi: '/openapi.json' } : {};
}

export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
  return document;
}

export { PUBLIC_MARKER };
