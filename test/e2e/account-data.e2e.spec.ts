import { EventCaptureService } from '../../src/behavioral/event-capture.service';
import { rateRecommendation } from '../helpers/coaching';
import { uploadStatement } from '../helpers/statements';
import { createTestApp, registerAdmin, registerUser, type TestApp, type TestUser } from '../helpers/test-app';
import { postTransaction, seedHistory, typicalHistory } from '../helpers/transactions';

const MONEYVIS_HEADER =
  'Transaction Number,Transaction Date,Transaction Type,Transaction Description,Debit Amount,Credit Amount,Balance,Category,Location City,Location Country';

/** Every table with a user_id column, read from the database's catalogue: a new table is covered without editing this test. */
async function userTables(t: TestApp): Promise<string[]> {
  const { rows } = await t.prisma.pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name = 'user_id' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

async function rowCount(t: TestApp, table: string, userId: string): Promise<number> {
  const column = table === 'users' ? 'id' : 'user_id';
  const { rows } = await t.prisma.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${table}" WHERE ${column} = $1`,
    [userId],
  );
  return rows[0].n;
}

/** Gives the user rows in as many tables as the API can fill. */
async function useTheProduct(t: TestApp, user: TestUser): Promise<TestUser> {
  const admin = await registerAdmin(t);
  await seedHistory(t, user.id, typicalHistory(6));
  await postTransaction(t, user, { amount: -12.5, category: 'groceries', description: 'Shop' });
  await t.http().put('/auth/profile').set(user.auth).send({ first_name: 'Ada' }).expect(200);
  const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const category = await t
    .http()
    .post('/products/categories')
    .set(admin.auth)
    .send({ name: `Export ${tag}`, transaction_category: 'groceries' })
    .expect(201);
  const product = await t
    .http()
    .post('/products')
    .set(admin.auth)
    .send({ name: `Export ${tag}`, price: 3.5, category_id: category.body.id, merchant_name: 'Shop' })
    .expect(201);
  await t.http().post('/products/purchase').set(user.auth).send({ product_id: product.body.id }).expect(201);
  await rateRecommendation(t, user);
  await t.http().post('/coaching/refresh-segment').set(user.auth).expect(200);
  await t.http().get('/coaching/spending-prediction').set(user.auth).expect(200);
  const csv = `${MONEYVIS_HEADER}\n1,03/01/2022,DEB,TESCO STORES,12.30,,100.00,Groceries,Nottingham,UK\n`;
  await uploadStatement(t, user, csv).expect(200);
  await t.app.get(EventCaptureService).flush();
  // Refreshing revokes the old token (a revoked_tokens row); go on with the new one.
  const refreshed = await t.http().post('/auth/refresh').set(user.auth).expect(200);
  return {
    ...user,
    token: refreshed.body.access_token,
    auth: { Authorization: `Bearer ${refreshed.body.access_token}` },
  };
}

describe('a user’s data: export and erasure (e2e, tables from the schema)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('exports every row of every table holding the user’s data, and nothing of other users', async () => {
    const other = await registerUser(t);
    await seedHistory(t, other.id, typicalHistory(2));
    const user = await useTheProduct(t, await registerUser(t));

    const res = await t.http().get('/auth/export').set(user.auth).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.text) as {
      user: Record<string, unknown>;
      tables: Record<string, Array<Record<string, unknown>>>;
    };
    expect(body.user).toMatchObject({ id: user.id, email: user.email });
    expect(body.user).not.toHaveProperty('password_hash');

    const tables = await userTables(t);
    expect(Object.keys(body.tables).sort()).toEqual([...tables].sort());
    let filled = 0;
    for (const table of tables) {
      const expected = await rowCount(t, table, user.id);
      expect({ table, rows: body.tables[table].length }).toEqual({ table, rows: expected });
      if (expected > 0) filled++;
    }
    // Guard against a vacuous pass: the product use above fills most tables.
    expect(filled).toBeGreaterThanOrEqual(9);
    expect(res.text).not.toContain(other.id);
  });

  it('needs authentication', async () => {
    await t.http().get('/auth/export').expect(401);
  });

  it('deleting the account leaves no row of the user in any table', async () => {
    const user = await useTheProduct(t, await registerUser(t));
    const tables = await userTables(t);
    const before = await Promise.all(tables.map((table) => rowCount(t, table, user.id)));
    expect(before.filter((n) => n > 0).length).toBeGreaterThanOrEqual(9);
    // An event captured just before deletion, still queued in memory, must not be written afterwards.
    await t.http().get('/financial/wallet').set(user.auth).expect(200);
    await t.http().delete('/auth/account').set(user.auth).send({ password: user.password }).expect(200);
    await t.app.get(EventCaptureService).flush();
    for (const table of [...tables, 'users']) {
      expect({ table, rows: await rowCount(t, table, user.id) }).toEqual({ table, rows: 0 });
    }
  });
});
