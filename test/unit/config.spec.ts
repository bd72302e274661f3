import { ConfigError, loadConfig } from '../../src/infra/config/app-config';
import { DEV_JWT_SECRET } from '../../src/infra/config/config.schema';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.database.url).toBeUndefined();
    expect(config.http.corsOrigins).toContain('http://localhost:5173');
    expect(config.seed.onStart).toBe(true);
  });

  it('names every wrong setting', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT: /m);
      expect(problems).toMatch(/^DATABASE_URL: /m);
      expect(problems).toMatch(/^LOG_LEVEL: /m);
    }
  });

  it('refuses the default JWT secret in production, without echoing it', () => {
    try {
      loadConfig({ NODE_ENV: 'production' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/JWT_SECRET_KEY/);
      expect((error as Error).message).not.toContain(DEV_JWT_SECRET);
    }
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET_KEY: 'a-real-secret-of-enough-length' }).seed.onStart).toBe(
      false,
    );
  });

  it('splits CORS_ORIGINS and treats blank values as unset', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).http.corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(loadConfig({ PORT: '' }).port).toBe(8000);
  });
});
