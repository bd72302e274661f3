import { loggableUrl } from '../../../src/infra/logging/logging';

describe('loggableUrl', () => {
  it('drops query strings and search terms in paths', () => {
    expect(loggableUrl('/products?search=ada%40example.com&limit=5')).toBe('/products');
    expect(loggableUrl('/products/search/4111%201111%201111%201111?limit=3')).toBe('/products/search/:term');
    expect(loggableUrl('/financial/transactions/abc')).toBe('/financial/transactions/abc');
  });
});
