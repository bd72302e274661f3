import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { isDatabaseUnavailable } from '../database/database-errors';

import { RequestValidationError, type ValidationIssue } from './validation';

/**
 * The one error body of the API. `detail` is what the React client shows (a
 * string, or FastAPI-style issues for validation errors); `message` is always a
 * readable string naming the offending fields.
 */
export interface ErrorBody {
  status_code: number;
  error: string;
  detail: string | ValidationIssue[];
  message: string;
  request_id: string;
}

interface MappedError {
  status: number;
  detail: string | ValidationIssue[];
  message?: string;
  headers?: Record<string, string>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

// Fastify's own request errors: parse failures are the client's fault, never a 500.
const FASTIFY_ERRORS: Record<string, { status: number; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, detail: 'Malformed JSON body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    detail: 'Empty JSON body: send a JSON object or omit the Content-Type header',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, detail: 'Unsupported Content-Type' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, detail: 'Request body is too large' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, detail: 'Invalid Content-Length' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, detail: 'Expected a multipart/form-data upload' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, detail: 'Uploaded file is too large' },
  FST_FILES_LIMIT: { status: 400, detail: 'Too many files in the upload' },
  FST_PARTS_LIMIT: { status: 400, detail: 'Too many parts in the upload' },
};

// busboy (under @fastify/multipart) rejects a malformed upload with plain Errors, no code.
const MALFORMED_MULTIPART = /^(Multipart: .+|Unexpected end of (form|file)|Malformed part header)$/;

// Prisma error codes that are about the request, not the server (https://www.prisma.io/docs/orm/reference/error-reference).
const PRISMA_ERRORS: Record<string, { status: number; detail: string }> = {
  P2002: { status: 409, detail: 'A record with these values already exists' },
  P2025: { status: 404, detail: 'Not found' },
  P2003: { status: 400, detail: 'A referenced record does not exist' },
  P2000: { status: 400, detail: 'A value is too long for its field' },
  P2020: { status: 400, detail: 'A value is out of range for its field' },
};

export function mapError(exception: unknown): MappedError {
  if (exception instanceof RequestValidationError) {
    return { status: 422, detail: exception.issues, message: exception.summary };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const detail =
      typeof response === 'string'
        ? response
        : typeof (response as { message?: unknown }).message === 'string'
          ? (response as { message: string }).message
          : Array.isArray((response as { message?: unknown }).message)
            ? (response as { message: string[] }).message.join('; ')
            : exception.message;
    const retryAfter = (response as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    const headers: Record<string, string> | undefined =
      status === 401
        ? { 'WWW-Authenticate': 'Bearer' }
        : typeof retryAfter === 'number'
          ? { 'Retry-After': String(retryAfter) }
          : undefined;
    return { status, detail, headers };
  }
  const err = exception as { code?: unknown; statusCode?: unknown; name?: unknown; message?: unknown; meta?: unknown };
  if (typeof err?.code === 'string' && FASTIFY_ERRORS[err.code]) {
    return FASTIFY_ERRORS[err.code];
  }
  if (exception instanceof Error && MALFORMED_MULTIPART.test(exception.message)) {
    return { status: 400, detail: `Malformed multipart/form-data upload: ${exception.message}` };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      status: 503,
      detail: 'The database is unavailable or busy: try again shortly',
      headers: { 'Retry-After': '5' },
    };
  }
  if (typeof err?.code === 'string' && PRISMA_ERRORS[err.code]) {
    return PRISMA_ERRORS[err.code];
  }
  // Numeric overflow etc. raised by PostgreSQL through a raw query.
  const pgCode = pgErrorCode(err);
  if (pgCode === '22003') return { status: 400, detail: 'A numeric value is out of range' };
  if (pgCode === '23505') return { status: 409, detail: 'A record with these values already exists' };
  if (typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, detail: typeof err.message === 'string' ? err.message : 'Bad request' };
  }
  return { status: 500, detail: 'Internal server error' };
}

function pgErrorCode(err: { code?: unknown; meta?: unknown }): string | undefined {
  const meta = err?.meta as { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined;
  const candidates = [meta?.code, meta?.driverAdapterError?.cause?.originalCode, err?.code];
  return candidates.find((c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c));
}

export function buildErrorBody(mapped: MappedError, requestId: string): ErrorBody {
  const message =
    mapped.message ?? (typeof mapped.detail === 'string' ? mapped.detail : (STATUS_TEXT[mapped.status] ?? 'Error'));
  return {
    status_code: mapped.status,
    error: STATUS_TEXT[mapped.status] ?? 'Error',
    detail: mapped.detail,
    message,
    request_id: requestId,
  };
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const mapped = mapError(exception);
    if (mapped.status >= 500) {
      // Full error in the log, keyed by request id; nothing internal on the wire.
      this.logger.error({ err: exception, request_id: request.id, path: request.url }, 'Unhandled error');
    }
    if (reply.sent) return;
    if (mapped.headers) reply.headers(mapped.headers);
    reply.status(mapped.status).send(buildErrorBody(mapped, String(request.id)));
  }
}
