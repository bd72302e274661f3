import type { TestApp, TestUser } from './test-app';

export type UploadArgs = [
  user: TestUser,
  content: Buffer | string,
  filename?: string,
  query?: string,
  options?: { contentType?: string; fields?: Record<string, string> },
];

/** POST /financial/import with one file, a query string and form fields (sent before the file). */
export function uploadStatement(t: TestApp, ...[user, content, filename, query, options]: UploadArgs) {
  const req = t
    .http()
    .post(`/financial/import${query ?? ''}`)
    .set(user.auth);
  for (const [name, value] of Object.entries(options?.fields ?? {})) req.field(name, value);
  return req.attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content), {
    filename: filename ?? 'statement.csv',
    contentType: options?.contentType ?? 'text/csv',
  });
}
