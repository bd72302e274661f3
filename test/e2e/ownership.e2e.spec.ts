import { randomUUID } from 'node:crypto';

import { buildOpenApiDocument } from '../../src/infra/openapi/openapi';
import { createTestApp, registerAdmin, registerUser, type TestApp, type TestUser } from '../helpers/test-app';
import { postTransaction } from '../helpers/transactions';

/**
 * Every route that takes a path parameter, read from the OpenAPI document of the running app, is
 * called by user B with user A's resource: user-scoped resources must answer 404/403 and stay
 * untouched; admin routes 403; catalogue routes (shared by design) the same answer for both users.
 * A route with a path parameter and no recipe below fails the test, so a new route is covered as
 * soon as it is added.
 */

type Scope = 'user' | 'admin' | 'catalogue';

interface Fixture {
  /** The path parameters, for a resource owned by (or, for the catalogue, visible to) `owner`. */
  params: Record<string, string>;
  /** Checks afterwards that B's calls left A's resource as it was. */
  intact?: () => Promise<void>;
}

interface Recipe {
  scope: Scope;
  /** Why a catalogue route is shared by everyone (required for that scope). */
  why?: string;
  fixture: (t: TestApp, owner: TestUser, admin: TestUser) => Promise<Fixture>;
  /** A valid body per method, so validation passes and the ownership check is what answers. */
  body?: Partial<Record<string, object>>;
}

async function ownTransaction(t: TestApp, owner: TestUser): Promise<Fixture> {
  const description = `mine ${randomUUID().slice(0, 8)}`;
  const created = await postTransaction(t, owner, { amount: -12.5, category: 'groceries', description });
  const id = created.body.id as string;
  return {
    params: { id },
    intact: async () => {
      const res = await t.http().get(`/financial/transactions/${id}`).set(owner.auth).expect(200);
      expect(res.body).toMatchObject({ id, description });
    },
  };
}

async function productFixture(t: TestApp, _owner: TestUser, admin: TestUser): Promise<Fixture> {
  const category = await t
    .http()
    .post('/products/categories')
    .set(admin.auth)
    .send({ name: `Ownership ${randomUUID().slice(0, 8)}`, description: 'x', transaction_category: 'shopping' })
    .expect(201);
  const product = await t
    .http()
    .post('/products')
    .set(admin.auth)
    .send({ name: `Thing ${randomUUID().slice(0, 8)}`, price: 2.5, category_id: category.body.id, merchant_name: 'M' })
    .expect(201);
  return { params: { id: product.body.id, category_id: category.body.id, term: 'Thing' } };
}

const transactionChange = { description: 'changed by someone else' };

const RECIPES: Record<string, Recipe> = {
  '/financial/transaction/{id}': { scope: 'user', fixture: ownTransaction },
  '/financial/transactions/{id}': { scope: 'user', fixture: ownTransaction, body: { put: transactionChange } },
  '/auth/users/{id}': {
    scope: 'admin',
    fixture: async (_t, owner) => ({ params: { id: owner.id } }),
    body: { patch: { role: 'admin' } },
  },
  '/admin/jobs/{name}/run': { scope: 'admin', fixture: async () => ({ params: { name: 'segment-refresh' } }) },
  '/admin/models/{name}/rollback': { scope: 'admin', fixture: async () => ({ params: { name: 'segmentation' } }) },
  '/coaching/continuous-learning/trigger-training/{model_type}': {
    scope: 'admin',
    fixture: async () => ({ params: { model_type: 'goal' } }),
  },
  '/coaching/continuous-learning/validation-results/{training_event_id}': {
    scope: 'admin',
    fixture: async () => ({ params: { training_event_id: randomUUID() } }),
  },
  '/products/{id}': {
    scope: 'catalogue',
    why: 'the product catalogue is the same for every user; changing it is admin-only',
    fixture: productFixture,
    body: { put: { price: 1 } },
  },
  '/products/categories/{id}': {
    scope: 'catalogue',
    why: 'product categories are shared; changing them is admin-only',
    fixture: async (t, owner, admin) => {
      const f = await productFixture(t, owner, admin);
      return { params: { id: f.params.category_id } };
    },
    body: { put: { description: 'y' } },
  },
  '/products/category/{category_id}/products': {
    scope: 'catalogue',
    why: 'the catalogue of a category, the same for everyone',
    fixture: productFixture,
  },
  '/products/search/{term}': {
    scope: 'catalogue',
    why: 'a search of the shared catalogue (the term is not an id)',
    fixture: productFixture,
  },
};

interface Operation {
  method: string;
  path: string;
}

describe('ownership of every route with a path parameter (e2e, generated from OpenAPI)', () => {
  let t: TestApp;
  let operations: Operation[];
  let a: TestUser;
  let b: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    [a, b, admin] = await Promise.all([registerUser(t), registerUser(t), registerAdmin(t)]);
    const document = buildOpenApiDocument(t.app);
    operations = Object.entries(document.paths)
      .filter(([path]) => path.includes('{'))
      .flatMap(([path, item]) =>
        Object.entries(item as Record<string, unknown>)
          .filter(([, op]) => op && typeof op === 'object' && 'responses' in op)
          .map(([method]) => ({ method, path })),
      );
  });
  afterAll(async () => t.close());

  it('finds the routes with path parameters, and every one has a recipe (a new route must add one)', () => {
    expect(operations.length).toBeGreaterThanOrEqual(10);
    const missing = [...new Set(operations.map((o) => o.path))].filter((p) => !RECIPES[p]);
    expect(missing).toEqual([]);
    // A recipe for a route that no longer exists is stale.
    const stale = Object.keys(RECIPES).filter((p) => !operations.some((o) => o.path === p));
    expect(stale).toEqual([]);
    for (const [path, recipe] of Object.entries(RECIPES))
      if (recipe.scope === 'catalogue') expect(`${path}: ${recipe.why ?? ''}`).toMatch(/: \S/);
  });

  const fill = (path: string, params: Record<string, string>) =>
    path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      if (!(name in params)) throw new Error(`the recipe for ${path} does not give {${name}}`);
      return encodeURIComponent(params[name]);
    });

  const call = (op: Operation, url: string, who: TestUser, body?: object) => {
    const method = op.method as 'get' | 'put' | 'patch' | 'post' | 'delete';
    const req = t.http()[method](url).set(who.auth);
    return body ? req.send(body) : req;
  };

  it("answers user B's calls on user A's resources with 404/403 and leaves them intact", async () => {
    const checked: string[] = [];
    // Mutating methods last, so the reads see the resource as created.
    const order = ['get', 'put', 'patch', 'post', 'delete'];
    const sorted = [...operations].sort((x, y) => order.indexOf(x.method) - order.indexOf(y.method));
    for (const op of sorted) {
      const recipe = RECIPES[op.path];
      const fixture = await recipe.fixture(t, a, admin);
      const url = fill(op.path, fixture.params);
      const body = recipe.body?.[op.method];
      const label = `${op.method.toUpperCase()} ${op.path}`;
      const asB = await call(op, url, b, body);
      if (recipe.scope === 'user') {
        expect(`${label} → ${asB.status}`).toMatch(/→ 40[34]$/);
        await fixture.intact?.();
        if (op.method === 'get') {
          const asA = await call(op, url, a);
          expect(`${label} as owner → ${asA.status}`).toMatch(/→ 200$/);
        }
      } else if (recipe.scope === 'admin' || op.method !== 'get') {
        expect(`${label} → ${asB.status}`).toMatch(/→ 403$/);
      } else {
        const asA = await call(op, url, a);
        expect(`${label} → ${asB.status}`).toBe(`${label} → 200`);
        expect(asB.body).toEqual(asA.body);
      }
      checked.push(label);
    }
    expect(checked).toHaveLength(operations.length);
  });
});
