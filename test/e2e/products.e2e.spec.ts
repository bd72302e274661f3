import { randomUUID } from 'node:crypto';

import { createTestApp, registerAdmin, registerUser, type TestApp, type TestUser } from '../helpers/test-app';

const locs = (body: { detail: { loc: (string | number)[] }[] }) => body.detail.map((d) => d.loc.join('.'));

describe('products (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let user: TestUser;
  // Unique per run: the database is shared by every test file.
  const tag = randomUUID().slice(0, 8);
  let grocery: { id: string };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await registerAdmin(t);
    user = await registerUser(t);
    grocery = (
      await t
        .http()
        .post('/products/categories')
        .set(admin.auth)
        .send({ name: `Groceries ${tag}`, description: 'Food', transaction_category: 'groceries' })
        .expect(201)
    ).body;
  });
  afterAll(async () => t.close());

  const newProduct = (body: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/products')
      .set(admin.auth)
      .send({
        name: `Bananas ${tag} ${randomUUID().slice(0, 6)}`,
        price: 3.99,
        category_id: grocery.id,
        merchant_name: 'Fresh Market',
        ...body,
      })
      .expect(201)
      .then((r) => r.body);

  describe('categories', () => {
    it('lists publicly; admins create (snake or camelCase), rename and delete; duplicate → 409', async () => {
      const camel = await t
        .http()
        .post('/products/categories')
        .set(admin.auth)
        .send({ name: `Gadgets ${tag}`, description: 'Tech', transactionCategory: 'shopping' })
        .expect(201);
      expect(camel.body).toMatchObject({
        name: `Gadgets ${tag}`,
        description: 'Tech',
        transaction_category: 'shopping',
      });
      const dup = await t
        .http()
        .post('/products/categories')
        .set(admin.auth)
        .send({ name: `Gadgets ${tag}`, transaction_category: 'shopping' })
        .expect(409);
      expect(dup.body.detail).toBe('A category with this name already exists');
      const list = await t.http().get('/products/categories').expect(200);
      expect(list.body).toContainEqual(camel.body);
      const renamed = await t
        .http()
        .put(`/products/categories/${camel.body.id}`)
        .set(admin.auth)
        .send({ name: `Electronics ${tag}` })
        .expect(200);
      expect(renamed.body).toMatchObject({ name: `Electronics ${tag}`, transaction_category: 'shopping' });
      await t.http().delete(`/products/categories/${camel.body.id}`).set(admin.auth).expect(200);
      await t.http().delete(`/products/categories/${camel.body.id}`).set(admin.auth).expect(404);
    });

    it('validates and guards', async () => {
      const bad = await t
        .http()
        .post('/products/categories')
        .set(admin.auth)
        .send({ name: '', transactionCategory: 'pets' })
        .expect(422);
      expect(locs(bad.body).sort()).toEqual(['body.name', 'body.transaction_category']);
      expect(bad.body.detail.find((d: { loc: string[] }) => d.loc[1] === 'transaction_category').msg).toMatch(
        /^Transaction category must be one of: groceries/,
      );
      await t
        .http()
        .post('/products/categories')
        .set(user.auth)
        .send({ name: 'x', transaction_category: 'other' })
        .expect(403);
      await t.http().post('/products/categories').send({ name: 'x', transaction_category: 'other' }).expect(401);
      await t.http().put('/products/categories/nope').set(admin.auth).send({ name: 'x' }).expect(422);
    });
  });

  describe('catalogue', () => {
    it('creates (snake and camelCase), reads, updates and withdraws products', async () => {
      const p = await newProduct({ description: 'Organic, 2 lbs', stock_quantity: 7 });
      expect(p).toMatchObject({
        price: '3.99',
        category_id: grocery.id,
        merchant_name: 'Fresh Market',
        is_available: true,
        stock_quantity: 7,
        image_url: null,
      });
      const camel = await t
        .http()
        .post('/products')
        .set(admin.auth)
        .send({
          name: `Yogurt ${tag}`,
          price: '5.99',
          categoryId: grocery.id,
          merchantName: 'Dairy Farm',
          stockQuantity: 3,
        })
        .expect(201);
      expect(camel.body).toMatchObject({ price: '5.99', merchant_name: 'Dairy Farm', stock_quantity: 3 });
      expect((await t.http().get(`/products/${p.id}`).expect(200)).body).toEqual(p);
      const upd = await t
        .http()
        .put(`/products/${p.id}`)
        .set(admin.auth)
        .send({ price: 4.25, isAvailable: true, stockQuantity: 9 })
        .expect(200);
      expect(upd.body).toMatchObject({ price: '4.25', stock_quantity: 9 });
      const del = await t.http().delete(`/products/${p.id}`).set(admin.auth).expect(200);
      expect(del.body.is_available).toBe(false);
      // Withdrawn: still readable by id, gone from the shop listing.
      await t.http().get(`/products/${p.id}`).expect(200);
      const listed = await t.http().get(`/products?category_id=${grocery.id}&limit=100`).expect(200);
      expect(listed.body.map((x: { id: string }) => x.id)).not.toContain(p.id);
      const all = await t.http().get(`/products/?category_id=${grocery.id}&available_only=false&limit=100`).expect(200);
      expect(all.body.map((x: { id: string }) => x.id)).toContain(p.id);
    });

    it.each([
      [{ price: 0 }, 'body.price', 'Price must be greater than zero'],
      [{ price: -1 }, 'body.price', 'Price must be greater than zero'],
      [{ stock_quantity: -1 }, 'body.stock_quantity', 'Stock quantity cannot be negative'],
      [{ category_id: 'x' }, 'body.category_id', undefined],
      [{ name: undefined }, 'body.name', undefined],
    ])('refuses %j with 422', async (override, loc, msg) => {
      const body = { name: 'Thing', price: 1, category_id: grocery.id, merchant_name: 'M', ...override };
      const res = await t.http().post('/products').set(admin.auth).send(body).expect(422);
      expect(locs(res.body)).toContain(loc);
      if (msg) expect(res.body.detail[0].msg).toBe(msg);
    });

    it('guards writes and ids', async () => {
      await t.http().post('/products').set(user.auth).send({}).expect(403);
      await t.http().put(`/products/${randomUUID()}`).set(admin.auth).send({ name: 'x' }).expect(404);
      await t
        .http()
        .post('/products')
        .set(admin.auth)
        .send({ name: 'x', price: 1, category_id: randomUUID(), merchant_name: 'm' })
        .expect(404);
      expect(locs((await t.http().get('/products/not-a-uuid').expect(422)).body)).toEqual(['path.id']);
      expect((await t.http().get(`/products/${randomUUID()}`).expect(404)).body.detail).toBe('Product not found');
      await t.http().get('/products?limit=101').expect(422);
      await t.http().get('/products?min_price=5&max_price=1').expect(422);
      await t.http().get('/products?available_only=perhaps').expect(422);
    });

    it('filters by search, price range and category, and pages', async () => {
      const cat = (
        await t
          .http()
          .post('/products/categories')
          .set(admin.auth)
          .send({ name: `Filter ${tag}`, transaction_category: 'health' })
          .expect(201)
      ).body;
      const mk = (name: string, price: number, merchant: string, description?: string) =>
        newProduct({ name: `${name} ${tag}`, price, merchant_name: merchant, description, category_id: cat.id });
      await mk('Aspirin', 4.5, 'Pharmacy');
      await mk('Vitamins', 24.99, 'Health Store', 'Daily MULTIVITAMIN');
      await mk('Yoga Mat', 39.99, 'Wellness Shop');
      const names = (b: { name: string }[]) => b.map((x) => x.name.replace(` ${tag}`, ''));
      const q = (qs: string) =>
        t
          .http()
          .get(`/products?category_id=${cat.id}&${qs}`)
          .expect(200)
          .then((r) => names(r.body));
      expect(await q('')).toEqual(['Aspirin', 'Vitamins', 'Yoga Mat']);
      expect(await q('search=multivitamin')).toEqual(['Vitamins']);
      expect(await q('search=PHARMA')).toEqual(['Aspirin']);
      expect(await q('min_price=4.5&max_price=24.99')).toEqual(['Aspirin', 'Vitamins']);
      expect(await q('limit=1&page=2')).toEqual(['Vitamins']);
      expect(await q('limit=2&offset=2')).toEqual(['Yoga Mat']);
      const byCat = await t.http().get(`/products/category/${cat.id}/products?limit=2`).expect(200);
      expect(names(byCat.body)).toEqual(['Aspirin', 'Vitamins']);
      await t.http().get(`/products/category/${randomUUID()}/products`).expect(404);
      const found = await t
        .http()
        .get(`/products/search/${encodeURIComponent(`yoga mat ${tag}`)}`)
        .expect(200);
      expect(names(found.body)).toEqual(['Yoga Mat']);
    });
  });

  describe('purchases', () => {
    it('debits the wallet, decrements stock and records the purchase with its transaction', async () => {
      const buyer = await registerUser(t);
      const p = await newProduct({ price: 3.99, stock_quantity: 100 });
      const res = await t
        .http()
        .post('/products/purchase')
        .set(buyer.auth)
        .send({ product_id: p.id, quantity: 2 })
        .expect(201);
      expect(res.body).toMatchObject({ quantity: 2, total_amount: '7.98', product: { id: p.id, stock_quantity: 98 } });
      const tx = await t.http().get(`/financial/transactions/${res.body.transaction_id}`).set(buyer.auth).expect(200);
      expect(tx.body).toMatchObject({
        transaction_type: 'debit',
        amount: '7.98',
        category: 'groceries',
        description: `Purchase: ${p.name} x2`,
        merchant_name: 'Fresh Market',
        balance_after: '992.02',
        source: 'purchase',
      });
      // A purchase's transaction stays with the purchase.
      await t.http().delete(`/financial/transactions/${res.body.transaction_id}`).set(buyer.auth).expect(400);
      const history = await t.http().get('/products/purchases/history').set(buyer.auth).expect(200);
      expect(history.body).toEqual([res.body]);
      expect((await t.http().get('/products/purchases/history').set(user.auth).expect(200)).body).toEqual([]);
      // Quantity defaults to 1.
      const one = await t.http().post('/products/purchase').set(buyer.auth).send({ product_id: p.id }).expect(201);
      expect(one.body.quantity).toBe(1);
      expect((await t.http().get('/products/purchases/history?limit=1').set(buyer.auth)).body[0].id).toBe(one.body.id);
    });

    it('refuses with the reference messages and changes nothing', async () => {
      const buyer = await registerUser(t);
      const pricey = await newProduct({ price: 600, stock_quantity: 5 });
      const scarce = await newProduct({ price: 1, stock_quantity: 1 });
      const gone = await newProduct({ price: 1, is_available: false });
      const buy = (product_id: string, quantity = 1) =>
        t.http().post('/products/purchase').set(buyer.auth).send({ product_id, quantity });
      expect((await buy(randomUUID()).expect(404)).body.detail).toBe('Product not found');
      expect((await buy(gone.id).expect(400)).body.detail).toBe('Product is not available');
      expect((await buy(scarce.id, 2).expect(400)).body.detail).toBe('Insufficient stock');
      expect((await buy(pricey.id, 2).expect(400)).body.detail).toBe('Insufficient funds');
      expect((await t.http().get(`/products/${pricey.id}`)).body.stock_quantity).toBe(5);
      expect((await t.http().get('/financial/wallet').set(buyer.auth)).body.balance).toBe('1000.00');
      expect((await t.http().get('/products/purchases/history').set(buyer.auth)).body).toEqual([]);
      expect(await t.prisma.transaction.count({ where: { userId: buyer.id } })).toBe(0);
      const bad = await t
        .http()
        .post('/products/purchase')
        .set(buyer.auth)
        .send({ product_id: 'x', quantity: 11 })
        .expect(422);
      expect(locs(bad.body).sort()).toEqual(['body.product_id', 'body.quantity']);
      expect(bad.body.detail.find((d: { loc: string[] }) => d.loc[1] === 'quantity').msg).toBe(
        'Quantity cannot exceed 10 per purchase',
      );
      const zero = await t
        .http()
        .post('/products/purchase')
        .set(buyer.auth)
        .send({ product_id: pricey.id, quantity: 0 })
        .expect(422);
      expect(zero.body.detail[0].msg).toBe('Quantity must be at least 1');
      await t.http().post('/products/purchase').send({ product_id: pricey.id }).expect(401);
    });

    it('parallel purchases of a product with stock 3: exactly 3 succeed, stock 0', async () => {
      const p = await newProduct({ price: 10, stock_quantity: 3 });
      const buyers = await Promise.all(Array.from({ length: 8 }, () => registerUser(t)));
      const results = await Promise.all(
        buyers.map((b) => t.http().post('/products/purchase').set(b.auth).send({ product_id: p.id })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(3);
      expect(results.filter((r) => r.status === 400).map((r) => r.body.detail)).toEqual(
        Array(5).fill('Insufficient stock'),
      );
      expect((await t.http().get(`/products/${p.id}`)).body.stock_quantity).toBe(0);
      expect(await t.prisma.userPurchase.count({ where: { productId: p.id } })).toBe(3);
    });

    it('popular ranks by purchase count and is not shadowed by /{id}', async () => {
      const cat = (
        await t
          .http()
          .post('/products/categories')
          .set(admin.auth)
          .send({ name: `Popular ${tag}`, transaction_category: 'entertainment' })
          .expect(201)
      ).body;
      const a = await newProduct({ category_id: cat.id, price: 1 });
      const b = await newProduct({ category_id: cat.id, price: 1 });
      const buyer = await registerUser(t);
      for (const id of [b.id, b.id, a.id])
        await t.http().post('/products/purchase').set(buyer.auth).send({ product_id: id }).expect(201);
      const res = await t.http().get('/products/popular?limit=50&days=1').expect(200);
      const ids = res.body.map((x: { id: string }) => x.id);
      expect(ids.indexOf(b.id)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
      await t.http().get('/products/popular?limit=51').expect(422);
    });
  });
});
