import { readFileSync } from 'node:fs';
import path from 'node:path';

import { MIGRATIONS_DIR } from '../../src/infra/database/migrate';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/test-app';

const locs = (body: { detail: { loc: (string | number)[] }[] }) => body.detail.map((d) => d.loc.join('.'));
/** The field, or an element of it (query.category.0 names query.category). */
const namesField = (body: { detail: { loc: (string | number)[] }[] }, loc: string) =>
  locs(body).some((l) => l === loc || l.startsWith(`${loc}.`));

describe('financial (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const post = (u: TestUser, body: Record<string, unknown>) =>
    t.http().post('/financial/transactions').set(u.auth).send(body);

  describe('the original test_financial.py checks', () => {
    it('registration opens the wallet with 1000.00 USD; reading it writes nothing', async () => {
      const u = await registerUser(t);
      const stored = await t.prisma.wallet.findUniqueOrThrow({ where: { userId: u.id } });
      const res = await t.http().get('/financial/wallet').set(u.auth).expect(200);
      expect(res.body).toMatchObject({ id: stored.id, balance: '1000.00', currency: 'USD' });
      expect(Number(res.body.balance)).toBe(1000.0);
      await t.http().get('/financial/wallet').set(u.auth).expect(200);
      const after = await t.prisma.wallet.findUniqueOrThrow({ where: { userId: u.id } });
      expect(after.updatedAt.getTime()).toBe(stored.updatedAt.getTime());
    });

    it('debits −50 → amount "50.00", balance_after 950', async () => {
      const u = await registerUser(t);
      const res = await post(u, {
        amount: -50.0,
        category: 'groceries',
        description: 'Weekly grocery shopping',
        merchant_name: 'Local Grocery Store',
      }).expect(201);
      expect(res.body).toMatchObject({
        amount: '50.00',
        transaction_type: 'debit',
        category: 'groceries',
        balance_after: '950.00',
        merchant_name: 'Local Grocery Store',
        location_city: 'Unknown',
        location_country: 'US',
        source: 'manual',
      });
      const wallet = await t.http().get('/financial/wallet').set(u.auth).expect(200);
      expect(wallet.body.balance).toBe('950.00');
    });

    it('refuses an overdraft with 400 "Insufficient funds" and leaves the balance alone', async () => {
      const u = await registerUser(t);
      const res = await post(u, { amount: -2000.0, category: 'shopping', description: 'Too much' }).expect(400);
      expect(res.body.detail).toBe('Insufficient funds');
      expect((await t.http().get('/financial/wallet').set(u.auth)).body.balance).toBe('1000.00');
      // Exactly down to zero is allowed.
      await post(u, { amount: -1000, category: 'bills', description: 'All of it' }).expect(201);
    });

    it('lists transactions newest first', async () => {
      const u = await registerUser(t);
      await post(u, { amount: -25, category: 'groceries', description: 'Groceries 1' }).expect(201);
      await post(u, { amount: -15, category: 'dine_out', description: 'Lunch' }).expect(201);
      await post(u, { amount: 100, category: 'income', description: 'Freelance work' }).expect(201);
      const res = await t.http().get('/financial/transactions').set(u.auth).expect(200);
      expect(res.body).toHaveLength(3);
      expect(res.body[0].description).toBe('Freelance work');
      expect(res.body.map((x: { description: string }) => x.description)).toEqual([
        'Freelance work',
        'Lunch',
        'Groceries 1',
      ]);
      expect(res.headers['x-total-count']).toBe('3');
    });

    it('aggregates spending by category', async () => {
      const u = await registerUser(t);
      await post(u, { amount: -30, category: 'groceries', description: 'a' }).expect(201);
      await post(u, { amount: -20, category: 'groceries', description: 'b' }).expect(201);
      await post(u, { amount: -15, category: 'dine_out', description: 'c' }).expect(201);
      await post(u, { amount: 500, category: 'income', description: 'pay' }).expect(201);
      const res = await t.http().get('/financial/analytics/spending-by-category').set(u.auth).expect(200);
      expect(res.body).toEqual([
        { category: 'groceries', total_amount: '50.00', transaction_count: 2, percentage: 76.92 },
        { category: 'dine_out', total_amount: '15.00', transaction_count: 1, percentage: 23.08 },
      ]);
    });

    it('summarises the last 7 days', async () => {
      const u = await registerUser(t);
      await post(u, { amount: 2000, category: 'income', description: 'Salary' }).expect(201);
      await post(u, { amount: -615.5, category: 'bills', description: 'Rent share' }).expect(201);
      const res = await t.http().get('/financial/health-summary').set(u.auth).expect(200);
      expect(res.body).toEqual({
        current_balance: '2384.50',
        weekly_spending: '615.50',
        weekly_income: '2000.00',
        transaction_count: 2,
        savings_rate: 0.69225,
        daily_spending_avg: '87.93',
        top_spending_categories: [{ category: 'bills', total_amount: '615.50', transaction_count: 1, percentage: 100 }],
      });
    });

    it('counts spending and income by the one definition: analytics and the coaching state agree', async () => {
      const u = await registerUser(t);
      await post(u, { amount: 2000, category: 'income', description: 'Salary' }).expect(201);
      await post(u, { amount: 300, category: 'savings', description: 'Back from my savings' }).expect(201);
      await post(u, { amount: -500, category: 'savings', description: 'To my savings' }).expect(201);
      await post(u, { amount: -120, category: 'groceries', description: 'Food' }).expect(201);
      await post(u, { amount: -30, category: 'income', description: 'AMZNMktplace (labelled income)' }).expect(201);
      const health = (await t.http().get('/financial/health-summary').set(u.auth).expect(200)).body;
      expect(health).toMatchObject({ weekly_spending: '150.00', weekly_income: '2000.00', savings_rate: 0.925 });
      expect(health.top_spending_categories).toEqual([
        { category: 'groceries', total_amount: '120.00', transaction_count: 1, percentage: 80 },
        { category: 'other', total_amount: '30.00', transaction_count: 1, percentage: 20 },
      ]);
      const state = (await t.http().get('/coaching/financial-state').set(u.auth).expect(200)).body;
      expect(state).toMatchObject({
        weekly_spending: 150,
        weekly_income: 2000,
        savings_rate: 0.925,
        category_spending: { groceries: 120, other: 30 },
      });
      const now = new Date();
      const month = await t
        .http()
        .get(`/financial/monthly-summary?year=${now.getUTCFullYear()}&month=${now.getUTCMonth() + 1}`)
        .set(u.auth)
        .expect(200);
      expect(month.body).toMatchObject({ total_income: 2000, total_spending: 150, average_transaction: 75 });
    });

    it('lists the 11 categories without a token', async () => {
      const res = await t.http().get('/financial/categories').expect(200);
      expect(res.body.categories).toHaveLength(11);
      expect(res.body.categories).toContainEqual({
        value: 'dine_out',
        label: 'Dine Out',
        description: 'Transactions related to dine out',
      });
    });
  });

  describe('validation', () => {
    let u: TestUser;
    beforeAll(async () => {
      u = await registerUser(t);
    });

    it.each([
      [{ amount: 0, category: 'groceries', description: 'x' }, 'body.amount', 'Transaction amount cannot be zero'],
      [{ amount: 1e13, category: 'groceries', description: 'x' }, 'body.amount', undefined],
      [
        { amount: -1.234, category: 'groceries', description: 'x' },
        'body.amount',
        'must have at most 2 decimal places',
      ],
      [{ amount: 'ten', category: 'groceries', description: 'x' }, 'body.amount', undefined],
      [{ amount: -5, category: 'pets', description: 'x' }, 'body.category', undefined],
      [{ amount: -5, category: 'groceries' }, 'body.description', undefined],
      [{ amount: -5, category: 'groceries', description: '   ' }, 'body.description', undefined],
      [{ amount: -5, category: 'groceries', description: 'x'.repeat(501) }, 'body.description', undefined],
    ])('refuses %j with 422 naming the field', async (body, loc, msg) => {
      const res = await post(u, body).expect(422);
      expect(locs(res.body)).toContain(loc);
      if (msg) expect(res.body.detail.find((d: { loc: string[] }) => d.loc.join('.') === loc).msg).toBe(msg);
    });

    it('never 500s when a credit would overflow the balance column', async () => {
      const rich = await registerUser(t);
      await post(rich, { amount: 9_999_999_999.99, category: 'income', description: 'jackpot' }).expect(400);
      await post(rich, { amount: 9_999_998_999.99, category: 'income', description: 'jackpot' }).expect(201);
      const res = await post(rich, { amount: 0.01, category: 'income', description: 'one cent too many' }).expect(400);
      expect(res.body.detail).toMatch(/maximum/);
    });

    it.each([
      ['limit=0', 'query.limit'],
      ['limit=101', 'query.limit'],
      ['offset=-1', 'query.offset'],
      ['page=0', 'query.page'],
      ['days=0', 'query.days'],
      ['category=pets', 'query.category'],
      ['transaction_type=refund', 'query.transaction_type'],
      ['start_date=yesterday', 'query.start_date'],
      ['start_date=2024-02-01&end_date=2024-01-01', 'query.end_date'],
      ['min_amount=abc', 'query.min_amount'],
      ['min_amount=10&max_amount=5', 'query.max_amount'],
    ])('GET /transactions?%s → 422 naming %s', async (qs, loc) => {
      const res = await t.http().get(`/financial/transactions?${qs}`).set(u.auth).expect(422);
      expect(namesField(res.body, loc)).toBe(true);
    });

    it.each([
      ['/financial/analytics/spending-by-category?days=0', 'query.days'],
      ['/financial/analytics/spending-by-category?days=3651', 'query.days'],
      ['/financial/balance-history?days=-1', 'query.days'],
      ['/financial/monthly-summary?year=2024&month=13', 'query.month'],
      ['/financial/monthly-summary?month=1', 'query.year'],
      ['/financial/monthly-summary?year=99999&month=1', 'query.year'],
      ['/financial/transaction/not-a-uuid', 'path.id'],
      ['/financial/transactions/NaN', 'path.id'],
    ])('GET %s → 422 naming %s', async (url, loc) => {
      const res = await t.http().get(url).set(u.auth).expect(422);
      expect(locs(res.body)).toContain(loc);
    });

    it('requires a token', async () => {
      await t.http().get('/financial/wallet').expect(401);
      await t
        .http()
        .post('/financial/transactions')
        .send({ amount: 1, category: 'income', description: 'x' })
        .expect(401);
    });

    it('refuses to set the balance directly (405)', async () => {
      const res = await t.http().put('/financial/wallet').set(u.auth).send({ balance: 1e6 }).expect(405);
      expect(res.body.detail).toMatch(/only through transactions/);
    });
  });

  describe('listing filters and paging', () => {
    let u: TestUser;
    beforeAll(async () => {
      u = await registerUser(t);
      const rows: [number, string, string, string?][] = [
        [-10, 'groceries', 'Tesco weekly'],
        [-20.5, 'dine_out', 'Pizza night', 'Tony Pizzeria'],
        [300, 'income', 'Salary'],
        [-45, 'transport', 'Train ticket'],
        [-5, 'groceries', 'Milk', 'TESCO Express'],
      ];
      for (const [amount, category, description, merchant_name] of rows) {
        await post(u, { amount, category, description, merchant_name }).expect(201);
      }
    });
    const list = (qs: string) => t.http().get(`/financial/transactions?${qs}`).set(u.auth).expect(200);
    const descriptions = (body: { description: string }[]) => body.map((x) => x.description);

    it('pages with page/limit and offset, with the paging headers', async () => {
      const p2 = await list('page=2&limit=2');
      expect(descriptions(p2.body)).toEqual(['Salary', 'Pizza night']);
      expect(p2.headers).toMatchObject({ 'x-total-count': '5', 'x-page': '2', 'x-limit': '2', 'x-offset': '2' });
      expect(descriptions((await list('offset=4&limit=2')).body)).toEqual(['Tesco weekly']);
    });

    it('filters by category (one or several), type, amount range and text', async () => {
      expect(descriptions((await list('category=groceries')).body)).toEqual(['Milk', 'Tesco weekly']);
      expect(descriptions((await list('category=groceries,transport')).body)).toEqual([
        'Milk',
        'Train ticket',
        'Tesco weekly',
      ]);
      expect(descriptions((await list('transaction_type=credit')).body)).toEqual(['Salary']);
      expect(descriptions((await list('min_amount=10&max_amount=45')).body)).toEqual([
        'Train ticket',
        'Pizza night',
        'Tesco weekly',
      ]);
      // Case-insensitive, in the description or the merchant.
      const tesco = await list('search=tesco');
      expect(descriptions(tesco.body)).toEqual(['Milk', 'Tesco weekly']);
      expect(tesco.headers['x-total-count']).toBe('2');
    });

    it('a named statement is planned once per connection, also for a user the statistics have not sampled', async () => {
      // One user holding most rows, as after a large import, and statistics taken before the next
      // user arrived: PostgreSQL estimates fewer rows for the newcomer than for a typical user and,
      // unless told otherwise, re-plans their statements on every execution.
      const heavy = await registerUser(t);
      await t.prisma.pool.query(
        `INSERT INTO transactions (id, user_id, wallet_id, transaction_type, amount, category, description,
                                   balance_after, transaction_date, source, updated_at)
         SELECT gen_random_uuid(), w.user_id, w.id, 'debit', 20, 'groceries', 'history', w.balance,
                now() - make_interval(days => d), 'import', now()
           FROM wallets w, generate_series(1, 3000) AS d WHERE w.user_id = $1::uuid`,
        [heavy.id],
      );
      await t.prisma.pool.query('ANALYZE transactions');
      const newcomer = await registerUser(t);
      await post(newcomer, { amount: -12.5, category: 'groceries', description: 'first' }).expect(201);
      const client = await t.prisma.pool.connect();
      try {
        const name = `plan-once-${newcomer.id}`;
        for (let i = 0; i < 10; i++) {
          await client.query({
            name,
            text: 'SELECT count(*)::int AS n FROM transactions WHERE user_id = $1::uuid',
            values: [newcomer.id],
          });
        }
        const plans = await client.query(
          'SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1',
          [name],
        );
        expect(plans.rows[0]).toEqual({ generic_plans: '10', custom_plans: '0' });
      } finally {
        client.release();
      }
    });

    it('filters by date range and days', async () => {
      const today = new Date().toISOString().slice(0, 10);
      expect((await list(`start_date=${today}&end_date=${today}`)).body).toHaveLength(5);
      expect((await list('end_date=2000-01-01')).body).toHaveLength(0);
      expect((await list('days=1')).body).toHaveLength(5);
    });
  });

  describe('one transaction: get, update, delete', () => {
    it('reads by id on both paths; another user gets 404', async () => {
      const [a, b] = [await registerUser(t), await registerUser(t)];
      const created = (await post(a, { amount: -12.34, category: 'health', description: 'Pharmacy' }).expect(201)).body;
      expect((await t.http().get(`/financial/transaction/${created.id}`).set(a.auth).expect(200)).body).toEqual(
        created,
      );
      expect((await t.http().get(`/financial/transactions/${created.id}`).set(a.auth).expect(200)).body).toEqual(
        created,
      );
      const missing = await t.http().get(`/financial/transactions/${created.id}`).set(b.auth).expect(404);
      expect(missing.body.detail).toBe('Transaction not found');
      await t
        .http()
        .put(`/financial/transactions/${created.id}`)
        .set(b.auth)
        .send({ description: 'mine now' })
        .expect(404);
      await t.http().delete(`/financial/transactions/${created.id}`).set(b.auth).expect(404);
      // b's listing does not contain it either.
      expect((await t.http().get('/financial/transactions').set(b.auth).expect(200)).body).toEqual([]);
    });

    it('updates descriptive fields and re-posts an amount change on the wallet', async () => {
      const u = await registerUser(t);
      const created = (await post(u, { amount: -100, category: 'shopping', description: 'Shoes' }).expect(201)).body;
      const renamed = await t
        .http()
        .put(`/financial/transactions/${created.id}`)
        .set(u.auth)
        .send({ description: 'Running shoes', category: 'fitness', merchant_name: 'Sports Store' })
        .expect(200);
      expect(renamed.body).toMatchObject({
        description: 'Running shoes',
        category: 'fitness',
        merchant_name: 'Sports Store',
        amount: '100.00',
        balance_after: '900.00',
      });
      const cheaper = await t
        .http()
        .put(`/financial/transactions/${created.id}`)
        .set(u.auth)
        .send({ amount: -80 })
        .expect(200);
      expect(cheaper.body).toMatchObject({ amount: '80.00', transaction_type: 'debit', balance_after: '920.00' });
      expect((await t.http().get('/financial/wallet').set(u.auth)).body.balance).toBe('920.00');
      const tooMuch = await t
        .http()
        .put(`/financial/transactions/${created.id}`)
        .set(u.auth)
        .send({ amount: -5000 })
        .expect(400);
      expect(tooMuch.body.detail).toBe('Insufficient funds');
      expect((await t.http().get('/financial/wallet').set(u.auth)).body.balance).toBe('920.00');
      const bad = await t
        .http()
        .put(`/financial/transactions/${created.id}`)
        .set(u.auth)
        .send({ category: 'pets', amount: 0 })
        .expect(422);
      expect(locs(bad.body).sort()).toEqual(['body.amount', 'body.category']);
    });

    it('deletes and reverses the balance; refuses a deletion that would overdraw', async () => {
      const u = await registerUser(t);
      const income = (await post(u, { amount: 500, category: 'income', description: 'Bonus' }).expect(201)).body;
      const spend = (await post(u, { amount: -1200, category: 'shopping', description: 'TV' }).expect(201)).body;
      // Balance 300: removing the 500 income would leave −200.
      const refused = await t.http().delete(`/financial/transactions/${income.id}`).set(u.auth).expect(400);
      expect(refused.body.detail).toBe('Insufficient funds');
      const del = await t.http().delete(`/financial/transactions/${spend.id}`).set(u.auth).expect(200);
      expect(del.body).toEqual({ message: 'Transaction deleted', id: spend.id, balance: '1500.00' });
      await t.http().get(`/financial/transactions/${spend.id}`).set(u.auth).expect(404);
      await t.http().delete(`/financial/transactions/${income.id}`).set(u.auth).expect(200);
      expect((await t.http().get('/financial/wallet').set(u.auth)).body.balance).toBe('1000.00');
    });
  });

  describe('analytics', () => {
    it('balance history has one point per day ending at the current balance', async () => {
      const u = await registerUser(t);
      await post(u, { amount: -100, category: 'bills', description: 'Phone' }).expect(201);
      await post(u, { amount: 40, category: 'income', description: 'Refund' }).expect(201);
      // A transaction dated 3 days ago (the API cannot backdate; the database can).
      const old = (await post(u, { amount: -10, category: 'other', description: 'Old' }).expect(201)).body;
      await t.prisma.transaction.update({
        where: { id: old.id },
        data: { transactionDate: new Date(Date.now() - 3 * 86_400_000) },
      });
      const res = await t.http().get('/financial/balance-history?days=5').set(u.auth).expect(200);
      const points = res.body.balance_history;
      expect(points).toHaveLength(5);
      const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
      expect(points.map((p: { date: string }) => p.date)).toEqual([day(4), day(3), day(2), day(1), day(0)]);
      expect(points[0]).toEqual({
        date: day(4),
        balance: 1000,
        transaction_type: 'credit',
        amount: 0,
        transaction_count: 0,
      });
      expect(points[1]).toEqual({
        date: day(3),
        balance: 990,
        transaction_type: 'debit',
        amount: 10,
        transaction_count: 1,
      });
      expect(points[4]).toEqual({
        date: day(0),
        balance: 930,
        transaction_type: 'debit',
        amount: 60,
        transaction_count: 2,
      });
    });

    it('monthly summary averages debits only', async () => {
      const u = await registerUser(t);
      await post(u, { amount: 1000, category: 'income', description: 'Pay' }).expect(201);
      await post(u, { amount: -30, category: 'groceries', description: 'a' }).expect(201);
      await post(u, { amount: -20.5, category: 'groceries', description: 'b' }).expect(201);
      const now = new Date();
      const res = await t
        .http()
        .get(`/financial/monthly-summary?year=${now.getUTCFullYear()}&month=${now.getUTCMonth() + 1}`)
        .set(u.auth)
        .expect(200);
      expect(res.body).toEqual({
        month: now.getUTCMonth() + 1,
        year: now.getUTCFullYear(),
        total_income: 1000,
        total_spending: 50.5,
        net_change: 949.5,
        transaction_count: 3,
        average_transaction: 25.25,
      });
      const empty = await t.http().get('/financial/monthly-summary?year=2001&month=2').set(u.auth).expect(200);
      expect(empty.body).toMatchObject({ transaction_count: 0, average_transaction: 0, total_income: 0 });
    });
  });

  describe('concurrency', () => {
    it('20 parallel debits of 75 against 1000: exactly 13 succeed, the balance never goes below 0', async () => {
      const u = await registerUser(t);
      await t.http().get('/financial/wallet').set(u.auth).expect(200);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(u, { amount: -75, category: 'shopping', description: `parallel ${i}` }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(13);
      expect(statuses.filter((s) => s === 400)).toHaveLength(7);
      expect((await t.http().get('/financial/wallet').set(u.auth)).body.balance).toBe('25.00');
      // Each balance_after is distinct: no two debits saw the same balance.
      const after = results
        .filter((r) => r.status === 201)
        .map((r) => r.body.balance_after)
        .sort();
      expect(new Set(after).size).toBe(13);
    });

    it('a user without a wallet reads 404 and gets exactly one from parallel first transactions', async () => {
      const u = await registerUser(t);
      await t.prisma.wallet.delete({ where: { userId: u.id } });
      const missing = await t.http().get('/financial/wallet').set(u.auth).expect(404);
      expect(missing.body.detail).toMatch(/Wallet not found/);
      expect(await t.prisma.wallet.count({ where: { userId: u.id } })).toBe(0);
      const res = await Promise.all(
        Array.from({ length: 8 }, () => post(u, { amount: -10, category: 'groceries', description: 'first' })),
      );
      expect(res.map((r) => r.status)).toEqual(Array(8).fill(201));
      expect(await t.prisma.wallet.count({ where: { userId: u.id } })).toBe(1);
      expect((await t.http().get('/financial/wallet').set(u.auth).expect(200)).body.balance).toBe('920.00');
    });

    it('the backfill migration opens a wallet and a profile for users who have none', async () => {
      const u = await registerUser(t);
      await t.prisma.wallet.delete({ where: { userId: u.id } });
      await t.prisma.userProfile.delete({ where: { userId: u.id } });
      const sql = readFileSync(
        path.join(MIGRATIONS_DIR, '20261201100000_wallet_and_profile_for_every_user', 'migration.sql'),
        'utf8',
      );
      await t.prisma.pool.query(sql); // as the migration runner applies it: one multi-statement script
      expect((await t.http().get('/financial/wallet').set(u.auth).expect(200)).body.balance).toBe('1000.00');
      expect((await t.http().get('/auth/profile').set(u.auth).expect(200)).body.risk_tolerance).toBe('medium');
    });
  });
});
