import type { OpenAPIObject } from '@nestjs/swagger';
import fc from 'fast-check';

import { buildOpenApiDocument } from '../../src/infra/openapi/openapi';
import { createTestApp, registerAdmin, type TestApp, type TestUser } from '../helpers/test-app';

/**
 * Property test over every operation of the OpenAPI document: path parameters, query strings and
 * bodies generated from the operation's own schemas, mixed with hostile values (NUL, huge numbers,
 * wrong types, deep nesting, long strings, lone surrogates, prototype keys). No answer may be a
 * 5xx or carry a stack trace, and nothing may end in an unhandled rejection. Seeded and bounded:
 * FUZZ_SEED and FUZZ_RUNS (runs per operation) reproduce or widen a run.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);

// Run by an admin, so admin routes reach their validation too. These two would start real work on
// the shared test database (a job over every user, a model rollback) with a valid name: their path
// parameter gets hostile values only.
const HOSTILE_PATH_ONLY = new Set(['POST /admin/jobs/{name}/run', 'POST /admin/models/{name}/rollback']);
// These end the caller's session (or account): each run gets a fresh admin.
const SPENDS_THE_SESSION = new Set([
  'POST /auth/logout',
  'POST /auth/logout-all',
  'POST /auth/refresh',
  'POST /auth/change-password',
  'DELETE /auth/account',
]);

type Schema = Record<string, unknown>;

function deeplyNested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
}

const hostileStrings = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\u202e\u200b',
  'x'.repeat(70_000),
  '😀'.repeat(2_000),
  "' OR 1=1 --",
  '%00',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '9'.repeat(400),
  '2026-02-30',
  '0000-00-00T00:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  '<script>alert(1)</script>',
  '{"$gt":""}',
];
const hostileNumbers = [
  0,
  -0,
  -1,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER * 10,
  2 ** 31,
  -(2 ** 31) - 1,
  5e-324,
  0.1 + 0.2,
  123456789.123456,
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 2, arbitrary: fc.constantFrom(...hostileNumbers) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { __proto__: { polluted: 1 } }) },
  { weight: 1, arbitrary: fc.constantFrom(deeplyNested(40), deeplyNested(3_000)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** A schema-shaped string, sometimes with a NUL or a lone surrogate inside (what reaches SQL text). */
const poisoned = (base: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: base },
    { weight: 1, arbitrary: base.map((s) => `${s}\u0000`) },
    { weight: 1, arbitrary: base.map((s) => `\ud800${s}`) },
  );

function resolve(schema: Schema | undefined, doc: OpenAPIObject): Schema {
  let s = schema ?? {};
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) {
    const name = (s.$ref as string).split('/').pop()!;
    s = (doc.components?.schemas?.[name] as Schema | undefined) ?? {};
  }
  return s;
}

/** Values the schema describes (roughly: patterns are not followed), each field sometimes hostile. */
function fromSchema(schema: Schema | undefined, doc: OpenAPIObject, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 2, arbitrary: validish(schema, doc, depth) }, { weight: 1, arbitrary: hostileValue });
}

function validish(raw: Schema | undefined, doc: OpenAPIObject, depth: number): fc.Arbitrary<unknown> {
  const s = resolve(raw, doc);
  const variants = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  let base: fc.Arbitrary<unknown>;
  if (variants?.length) base = fc.oneof(...variants.map((v) => validish(v, doc, depth + 1)));
  else if (Array.isArray(s.allOf) && s.allOf.length) base = validish(s.allOf[0] as Schema, doc, depth + 1);
  else if (Array.isArray(s.enum)) base = fc.constantFrom(...(s.enum as unknown[]));
  else if ('const' in s) base = fc.constant(s.const);
  else {
    const type = Array.isArray(s.type) ? (s.type[0] as string) : (s.type as string | undefined);
    base = byType(type, s, doc, depth);
  }
  return s.nullable ? fc.option(base, { nil: null }) : base;
}

function byType(type: string | undefined, s: Schema, doc: OpenAPIObject, depth: number): fc.Arbitrary<unknown> {
  const min = typeof s.minimum === 'number' ? s.minimum : -1e6;
  const max = typeof s.maximum === 'number' ? s.maximum : 1e6;
  switch (type) {
    case 'string':
      switch (s.format) {
        case 'uuid':
          return fc.uuid();
        case 'date':
          return fc
            .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
            .map((d) => d.toISOString().slice(0, 10));
        case 'date-time':
          return fc
            .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
            .map((d) => d.toISOString());
        case 'email':
          return fc.emailAddress();
        default:
          return poisoned(
            fc.string({
              minLength: Math.min(Number(s.minLength ?? 0), 50),
              maxLength: Math.min(Number(s.maxLength ?? 60), 200),
            }),
          );
      }
    case 'integer':
      return fc.integer({
        min: Math.max(Math.ceil(min), -2_000_000_000),
        max: Math.min(Math.floor(max), 2_000_000_000),
      });
    case 'number':
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      if (depth > 4) return fc.constant([]);
      return fc.array(fromSchema(s.items as Schema, doc, depth + 1), { maxLength: 4 });
    case 'object': {
      if (depth > 4) return fc.constant({});
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      const model = Object.fromEntries(
        Object.entries(properties).map(([k, v]) => [k, fromSchema(v, doc, depth + 1)] as const),
      );
      const required = ((s.required as string[] | undefined) ?? []).filter((k) => k in properties);
      return fc.record(model, { requiredKeys: required });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Query strings and paths carry text: scalars as they are, structures as JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Lone surrogates cannot be percent-encoded as UTF-8: sent as the raw bytes of one (invalid UTF-8). */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return `%ED%A0%80${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, ''))}`;
  }
}

interface Parameter {
  in: string;
  name: string;
  schema?: Schema;
}

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  parameters: Parameter[];
  jsonBody?: Schema;
  multipartFile?: string;
}

interface FuzzRequest {
  path: Record<string, string>;
  query: Array<[string, string]>;
  body?: { json: unknown } | { raw: string } | { file: string };
}

/** Statement files: well-formed CSV rows with a NUL or broken bytes past the first 4 KB, where detection stops looking. */
const csvRows = Array.from(
  { length: 120 },
  (_, i) => `2024-01-${String((i % 28) + 1).padStart(2, '0')},-${i + 1}.50,Shop ${i}`,
);
const hostileFiles = [
  `date,amount,description\n${csvRows.join('\n')}\n2024-02-01,-3.00,late\u0000nul\n`,
  `date,amount,description\n${csvRows.join('\n')}\n2024-02-01,-3.00,\ud800broken\n`,
  `date,amount,description\n${csvRows.join('\n')}\n2024-02-01,1e309,huge\n`,
  `date;amount;description\n2024-01-01;-${'9'.repeat(400)};x\n`,
];

const rawBodies = [
  '{"a":',
  '['.repeat(20_000),
  '\u0000',
  '{"__proto__":{"polluted":true}}',
  'null',
  '"x"',
  '1e999',
  '{',
];

function requestArbitrary(op: Operation, doc: OpenAPIObject): fc.Arbitrary<FuzzRequest> {
  const label = `${op.method.toUpperCase()} ${op.path}`;
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const path = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [
        p.name,
        (HOSTILE_PATH_ONLY.has(label) ? hostileValue : fromSchema(p.schema, doc)).map(asText),
      ]),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
  const known = fc.array(
    fc.tuple(fc.constantFrom(...(queryParams.length ? queryParams.map((p) => p.name) : ['unknown'])), fc.nat()),
    { maxLength: queryParams.length + 2 },
  );
  const query = known.chain((picks) =>
    fc.tuple(
      ...picks.map(([name]) =>
        fromSchema(queryParams.find((p) => p.name === name)?.schema, doc).map(
          (v) => [name, asText(v)] as [string, string],
        ),
      ),
    ),
  ) as fc.Arbitrary<Array<[string, string]>>;
  let body: fc.Arbitrary<FuzzRequest['body']> = fc.constant(undefined);
  if (op.multipartFile) {
    body = fc
      .oneof(fc.constantFrom(...hostileStrings, ...hostileFiles), fc.string({ unit: 'binary', maxLength: 400 }))
      .map((file) => ({ file }));
  } else if (op.method !== 'get') {
    body = fc.oneof(
      { weight: 6, arbitrary: fromSchema(op.jsonBody, doc).map((json) => ({ json })) },
      { weight: 1, arbitrary: fc.constantFrom(...rawBodies).map((raw) => ({ raw })) },
    );
  }
  return fc.record({ path, query, body }) as fc.Arbitrary<FuzzRequest>;
}

function operations(doc: OpenAPIObject): Operation[] {
  const list: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item as Record<string, unknown>)) {
      const op = raw as {
        responses?: unknown;
        parameters?: Parameter[];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
      };
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const content = op.requestBody?.content ?? {};
      const multipart = content['multipart/form-data']?.schema;
      list.push({
        method: method as Operation['method'],
        path,
        parameters: op.parameters ?? [],
        jsonBody: content['application/json']?.schema,
        multipartFile: multipart ? Object.keys((multipart.properties ?? {}) as object)[0] : undefined,
      });
    }
  }
  return list;
}

const STACK_TRACE = /\n\s+at |node_modules|\/src\/|\.ts:\d+|TypeError|ReferenceError|PrismaClient|Invalid `prisma/;

describe('fuzzing every request schema of the OpenAPI document (e2e)', () => {
  let t: TestApp;
  let doc: OpenAPIObject;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeAll(async () => {
    t = await createTestApp();
    doc = buildOpenApiDocument(t.app);
    process.on('unhandledRejection', onRejection);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await t.close();
  });

  async function send(op: Operation, who: TestUser, req: FuzzRequest) {
    const url =
      op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encode(req.path[name] ?? '') || '%20') +
      (req.query.length ? `?${req.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}` : '');
    let call = t.http()[op.method](url).set(who.auth);
    const body = req.body;
    if (body && 'file' in body) call = call.attach(op.multipartFile!, Buffer.from(body.file), 'statement.csv');
    else if (body && 'raw' in body) call = call.set('Content-Type', 'application/json').send(body.raw);
    else if (body && 'json' in body && body.json !== undefined)
      call = call.set('Content-Type', 'application/json').send(JSON.stringify(body.json));
    const res = await call;
    return { url, res };
  }

  it('answers every generated request without a 5xx, a stack trace or an unhandled rejection', async () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(50);
    const statuses = new Map<number, number>();
    let seed = SEED;
    for (const op of ops) {
      const label = `${op.method.toUpperCase()} ${op.path}`;
      let session = await registerAdmin(t);
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op, doc), async (req) => {
          if (SPENDS_THE_SESSION.has(label)) session = await registerAdmin(t);
          const { url, res } = await send(op, session, req);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const where = `${op.method.toUpperCase()} ${url.slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`;
          expect(where).not.toMatch(/→ 5\d\d /);
          expect(res.text).not.toMatch(STACK_TRACE);
        }),
        { seed: seed++, numRuns: RUNS, endOnFailure: true },
      );
    }
    expect(rejections).toEqual([]);
    // The generator reaches past validation: some requests succeed, many are refused as bad input.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(422) ?? 0).toBeGreaterThan(0);
    // Bounded by RUNS, not by time; the limit only guards against a stuck request on a loaded machine.
  }, 600_000);
});
