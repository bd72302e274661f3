import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { Params } from 'nestjs-pino';

import type { AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request ids: the caller's `x-request-id` when it is sane, otherwise a UUID.
 * Fastify calls this first and pino-http reuses the id it leaves on the raw request.
 */
export function requestIdFor(raw: IncomingMessage): string {
  const header = raw.headers['x-request-id'];
  const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
  (raw as IncomingMessage & { id?: string }).id = id;
  return id;
}

/**
 * The path without its query string (search terms, filters) and without a search term in the path:
 * what users search for is theirs, not the log's.
 */
export function loggableUrl(url: string): string {
  const path = url.split('?', 1)[0];
  return path.replace(/\/search\/[^/]*/g, '/search/:term');
}

/** Structured JSON logs (pino) with the request id on every line; secrets redacted. */
export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? randomUUID(),
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      // Health probes would drown the log.
      autoLogging: { ignore: (req) => req.url?.split('?', 1)[0] === '/health' },
      customProps: () => ({ service: 'fincoach-api' }),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: loggableUrl(req.url),
        }),
      },
    },
  };
}
