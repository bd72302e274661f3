import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { DEMO_EMAIL } from '../../src/seed/demo-data';
import { SeedService } from '../../src/seed/seed.service';
import { uploadStatement, type UploadArgs } from '../helpers/statements';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/test-app';
import { postTransaction } from '../helpers/transactions';

const FIXTURE = path.join(__dirname, '../../data/moneyvis/transactions_categorized.csv');
const HEADER =
  'Transaction Number,Transaction Date,Transaction Type,Transaction Description,Debit Amount,Credit Amount,Balance,Category,Location City,Location Country';

describe('bank-statement import (e2e)', () => {
  let t: TestApp;
  const csv = readFileSync(FIXTURE);
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const upload = (...args: UploadArgs) => uploadStatement(t, ...args);

  describe('the full MoneyVis file', () => {
    let u: TestUser;
    let first: Record<string, unknown>;
    beforeAll(async () => {
      u = await registerUser(t);
      first = (await upload(u, csv).expect(200)).body;
    });

    it('imports every row in one request, replaying the bank balance', async () => {
      // The file holds 6,567 data rows, all valid (its README says 6,566 and mentions
      // empty-amount rows; this copy has none).
      expect(first).toMatchObject({
        imported: 6567,
        skipped: 0,
        duplicates: 0,
        total_rows: 6567,
        dry_run: false,
        errors: [],
        errors_total: 0,
        date_range: { from: '2015-07-27', to: '2022-07-25' },
        opening_balance_set: true,
        closing_balance: '541.43',
        file_sha256: createHash('sha256').update(csv).digest('hex'),
      });
      expect((await t.http().get('/financial/wallet').set(u.auth)).body.balance).toBe('541.43');
      const count = await t.prisma.transaction.count({ where: { userId: u.id, source: 'import' } });
      expect(count).toBe(6567);
      // Every imported balance_after equals the bank's Balance column (the statement is self-consistent).
      const oldest = await t.prisma.transaction.findFirst({
        where: { userId: u.id },
        orderBy: [{ transactionDate: 'asc' }, { seq: 'asc' }],
      });
      expect(oldest).toMatchObject({ description: 'ALAN HOLLAND', transactionType: 'debit', category: 'other' });
      // A statement gives dates only: every imported row is stored as time unknown (docs/features.md).
      expect(await t.prisma.transaction.count({ where: { userId: u.id, timeKnown: true } })).toBe(0);
      expect(oldest!.balanceAfter.toFixed(2)).toBe('7517.06');
      const audit = await t.prisma.statementImport.findMany({ where: { userId: u.id } });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        rowsTotal: 6567,
        rowsImported: 6567,
        rowsSkipped: 0,
        dryRun: false,
        format: 'moneyvis',
      });
    });

    it('lists the imported rows newest first with mapped categories', async () => {
      const res = await t.http().get('/financial/transactions?limit=3').set(u.auth).expect(200);
      expect(res.headers['x-total-count']).toBe('6567');
      expect(res.body[0]).toMatchObject({
        description: 'SAVE THE CHANGE',
        transaction_type: 'debit',
        amount: '3.11',
        category: 'savings',
        balance_after: '541.43',
        location_city: 'Nottingham',
        location_country: 'UK',
        source: 'import',
      });
      expect(res.body[0].transaction_date).toBe('2022-07-25T12:00:00.000Z');
      expect(res.body[1]).toMatchObject({
        description: 'LIDL GB  NOTTINGHA',
        category: 'groceries',
        balance_after: '544.54',
      });
    });

    it('re-importing the same file adds nothing', async () => {
      const again = await upload(u, csv).expect(200);
      expect(again.body).toMatchObject({
        imported: 0,
        skipped: 6567,
        duplicates: 6567,
        total_rows: 6567,
        closing_balance: '541.43',
        opening_balance_set: false,
      });
      expect(await t.prisma.transaction.count({ where: { userId: u.id } })).toBe(6567);
    });

    it('another user sees none of the imported rows', async () => {
      const other = await registerUser(t);
      expect((await t.http().get('/financial/transactions').set(other.auth).expect(200)).body).toEqual([]);
      const id = (await t.http().get('/financial/transactions?limit=1').set(u.auth)).body[0].id;
      await t.http().get(`/financial/transactions/${id}`).set(other.auth).expect(404);
    });

    it("finds the account's rent, subscriptions and salary (GET /financial/recurring, user-scoped)", async () => {
      const res = await t.http().get('/financial/recurring').set(u.auth).expect(200);
      expect(res.body.as_of).toBe('2022-07-25');
      const find = (merchant: string) =>
        res.body.recurring.filter((s: { merchant: string }) => s.merchant === merchant);
      // Rent to the letting agent, monthly until the move in late 2020.
      expect(find('TRISTRAMS LETTINGS')).toEqual([
        expect.objectContaining({ kind: 'bill', cadence: 'monthly', expected_amount: '825.00', active: false }),
      ]);
      expect(find('BARCLAYS UK MTGES')).toEqual([
        expect.objectContaining({ kind: 'bill', cadence: 'monthly', active: true, next_expected_date: '2022-08-01' }),
      ]);
      expect(find('Audible UK')).toEqual([
        expect.objectContaining({
          kind: 'subscription',
          cadence: 'monthly',
          expected_amount: '7.99',
          active: true,
          next_expected_date: '2022-08-24',
        }),
      ]);
      expect(find('Amazon Prime*2X250')).toEqual([
        expect.objectContaining({ cadence: 'yearly', expected_amount: '79.00' }),
      ]);
      expect(find('UNIV OF NOTTINGHAM')).toEqual([
        expect.objectContaining({ kind: 'salary', direction: 'credit', cadence: 'monthly', active: true }),
      ]);
      expect(find('SWANSEA UNI - PAY')).toEqual([expect.objectContaining({ kind: 'salary', active: false })]);
      const active = await t.http().get('/financial/recurring?active_only=true').set(u.auth).expect(200);
      expect(active.body.recurring.every((s: { active: boolean }) => s.active)).toBe(true);
      expect(active.body.recurring.length).toBeLessThan(res.body.recurring.length);
      const other = await registerUser(t);
      expect((await t.http().get('/financial/recurring').set(other.auth).expect(200)).body).toEqual({
        as_of: null,
        recurring: [],
      });
      await t.http().get('/financial/recurring').expect(401);
    });

    it('the same file for another user imports fully (keys are per user)', async () => {
      const other = await registerUser(t);
      const res = await upload(other, csv, 'statement.csv', '?dry_run=true').expect(200);
      expect(res.body).toMatchObject({ imported: 6567, dry_run: true, closing_balance: '541.43' });
    });
  });

  it('a dry run writes no transactions and leaves the wallet alone', async () => {
    const u = await registerUser(t);
    const res = await upload(u, csv, 'statement.csv', '?dry_run=true').expect(200);
    expect(res.body).toMatchObject({ imported: 6567, skipped: 0, dry_run: true, closing_balance: '541.43' });
    expect(await t.prisma.transaction.count({ where: { userId: u.id } })).toBe(0);
    // Registration opened the wallet; the dry run left its balance as it was.
    expect((await t.prisma.wallet.findUniqueOrThrow({ where: { userId: u.id } })).balance.toFixed(2)).toBe('1000.00');
    // The audit trail records the dry run.
    expect(await t.prisma.statementImport.count({ where: { userId: u.id, dryRun: true } })).toBe(1);
    await upload(u, csv, 'statement.csv', '?dry_run=maybe').expect(422);
  });

  it('skips bad rows with their line and reason; adds on top of an active wallet, possibly below zero', async () => {
    const u = await registerUser(t);
    // An existing history: the statement's rows add on top of the current balance.
    await postTransaction(t, u, { amount: -900, category: 'bills', description: 'Rent' });
    const rows = [
      HEADER,
      '1,03/01/2024,DEB,COFFEE SHOP,3.50,,96.50,Dine Out,Leeds,UK',
      '2,31/02/2024,DEB,BAD DATE,1.00,,95.50,Others,Leeds,UK',
      '3,02/01/2024,FPI,SALARY,,50.00,100.00,Paycheck,Leeds,UK',
      '4,02/01/2024,DEB,NO AMOUNTS,,,100.00,Others,Leeds,UK',
      '5,02/01/2024,DEB,ZERO,0.00,,100.00,Others,Leeds,UK',
      '6,01/01/2024,DEB,TOO PRECISE,1.234,,50.00,Others,Leeds,UK',
      '7,01/01/2024,DD,ENERGY CO,250.00,,50.00,Bills,Leeds,UK',
      '8,01/01/2024,DD,ENERGY CO,250.00,,50.00,Bills,Leeds,UK',
    ].join('\n');
    const res = await upload(u, rows).expect(200);
    expect(res.body).toMatchObject({
      imported: 4,
      skipped: 4,
      total_rows: 8,
      errors_total: 4,
      opening_balance_set: false,
      date_range: { from: '2024-01-01', to: '2024-01-03' },
      // 100 − 250 − 250 + 50 − 3.50: the bank said so; imports never refuse for overdraft.
      closing_balance: '-353.50',
    });
    expect(res.body.errors).toEqual([
      { row: 3, reason: 'Invalid Transaction Date "31/02/2024" (expected DD/MM/YYYY)' },
      { row: 5, reason: 'Debit Amount and Credit Amount are both empty' },
      { row: 6, reason: 'Amount is zero (Credit Amount − Debit Amount)' },
      { row: 7, reason: 'Debit Amount: "1.234" has more than two decimals' },
    ]);
    // Two identical bank lines are two transactions.
    const energy = await t.http().get('/financial/transactions?search=energy').set(u.auth).expect(200);
    expect(energy.body).toHaveLength(2);
    // A negative wallet refuses new debits until money comes in.
    await t
      .http()
      .post('/financial/transactions')
      .set(u.auth)
      .send({ amount: -1, category: 'other', description: 'x' })
      .expect(400);
    // Idempotent for partial files too.
    expect((await upload(u, rows).expect(200)).body).toMatchObject({ imported: 0, duplicates: 4, skipped: 8 });
  });

  it('refuses structurally broken CSV with 422 and the line, importing nothing', async () => {
    const u = await registerUser(t);
    const rows = [
      HEADER,
      '1,03/01/2024,DEB,"UNCLOSED,3.50,,96.50,Dine Out,Leeds,UK',
      '2,02/01/2024,FPI,PAY,,10.00,100.00,Paycheck,Leeds,UK',
    ].join('\n');
    const res = await upload(u, rows).expect(422);
    expect(res.body.detail[0]).toMatchObject({ loc: ['body', 'file'] });
    expect(res.body.detail[0].msg).toMatch(/^Malformed CSV at line 3: .*nothing was imported$/);
    expect(await t.prisma.transaction.count({ where: { userId: u.id } })).toBe(0);
    // A stray quote inside a field is data, not structure.
    const ok = await upload(
      u,
      [HEADER, '1,02/01/2024,DEB,O"NEILL BAR,10.00,,90.00,Dine Out,Leeds,UK'].join('\n'),
    ).expect(200);
    expect(ok.body).toMatchObject({ imported: 1, skipped: 0 });
  });

  describe('refusals', () => {
    let u: TestUser;
    beforeAll(async () => {
      u = await registerUser(t);
    });

    it('refuses a non-CSV file by name/type with 415', async () => {
      const res = await upload(u, '%PDF-1.4 binary', 'statement.pdf', '', { contentType: 'application/pdf' }).expect(
        415,
      );
      expect(res.body.detail).toMatch(/Only CSV and OFX/);
      // The message lists every name it accepts, tab-separated files included.
      expect(res.body.detail).toContain('.csv, .txt, .tsv, .ofx, .qfx');
    });

    it('refuses binary content posing as CSV with 415 (header sniffing)', async () => {
      await upload(u, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2]), 'statement.csv').expect(415);
    });

    it('refuses a CSV that is not a bank statement with 422 naming what was expected and found', async () => {
      const res = await upload(u, 'name,price\napple,1.00\n').expect(422);
      expect(res.body.detail[0].loc).toEqual(['body', 'file']);
      expect(res.body.detail[0].msg).toMatch(/expected a date column .* found columns "name", "price"/);
      const empty = await upload(u, '').expect(422);
      expect(empty.body.detail[0].loc).toEqual(['body', 'file']);
    });

    it('refuses a request without the file with 422 naming file', async () => {
      const res = await t.http().post('/financial/import').set(u.auth).field('note', 'no file').expect(422);
      expect(res.body.detail[0].loc).toEqual(['body', 'file']);
      const wrongField = await t
        .http()
        .post('/financial/import')
        .set(u.auth)
        .attach('upload', csv, 'x.csv')
        .expect(422);
      expect(wrongField.body.detail[0].loc).toEqual(['body', 'file']);
      await t.http().post('/financial/import').set(u.auth).send({ file: 'x' }).expect(415);
    });

    it('requires a token', async () => {
      await t.http().post('/financial/import').attach('file', csv, 'x.csv').expect(401);
    });
  });

  it('refuses an upload above IMPORT_MAX_BYTES with 413 and writes nothing', async () => {
    const small = await createTestApp({ IMPORT_MAX_BYTES: '4096' });
    try {
      const u = await registerUser(small);
      const res = await small
        .http()
        .post('/financial/import')
        .set(u.auth)
        .attach('file', csv, { filename: 'big.csv', contentType: 'text/csv' })
        .expect(413);
      expect(res.body.status_code).toBe(413);
      expect(await small.prisma.transaction.count({ where: { userId: u.id } })).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('seeds the demo user from the real statement, ending yesterday, idempotently', async () => {
    const seed = t.app.get(SeedService);
    await seed.seedDemoUsers('not-a-real-hash');
    await seed.seedDemoUsers('not-a-real-hash');
    const demo = await t.prisma.user.findUniqueOrThrow({ where: { email: DEMO_EMAIL } });
    expect(await t.prisma.transaction.count({ where: { userId: demo.id } })).toBe(6567);
    const newest = await t.prisma.transaction.findFirstOrThrow({
      where: { userId: demo.id },
      orderBy: [{ transactionDate: 'desc' }, { seq: 'desc' }],
    });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(newest.transactionDate.toISOString()).toBe(`${yesterday}T12:00:00.000Z`);
    expect(newest.description).toBe('SAVE THE CHANGE');
    expect((await t.prisma.wallet.findUniqueOrThrow({ where: { userId: demo.id } })).balance.toFixed(2)).toBe('541.43');

    // One synthetic demo user per persona, with months of history and a wallet matching it.
    const synthetic = await t.prisma.user.findMany({
      where: { email: { startsWith: 'demo-' } },
      include: { wallet: true },
    });
    expect(synthetic.map((u) => u.email).sort()).toEqual([
      'demo-budget@fincoach.com',
      'demo-goal@fincoach.com',
      'demo-high-spender@fincoach.com',
      'demo-impulse@fincoach.com',
      'demo-saver@fincoach.com',
    ]);
    for (const u of synthetic) {
      const rows = await t.prisma.transaction.findMany({
        where: { userId: u.id },
        orderBy: [{ transactionDate: 'desc' }, { seq: 'desc' }],
      });
      expect(rows.length).toBeGreaterThan(50);
      expect(rows[0].balanceAfter.toFixed(2)).toBe(u.wallet!.balance.toFixed(2));
    }
    const counts = await t.prisma.transaction.count({ where: { user: { email: { startsWith: 'demo-' } } } });
    await seed.seedDemoUsers('not-a-real-hash');
    expect(await t.prisma.transaction.count({ where: { user: { email: { startsWith: 'demo-' } } } })).toBe(counts);
    // Six accounts and thousands of rows, twice: slow on a loaded machine, not a timed assertion.
  }, 180_000);
});
