import { ConfigError, loadConfig } from '../../src/infra/config/app-config';
import { DEV_JWT_SECRET, DEV_SEED_PASSWORD } from '../../src/infra/config/config.schema';

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

  it('is a development server on loopback by default, and production anywhere else unless told', () => {
    const local = loadConfig({});
    expect(local.host).toBe('127.0.0.1');
    expect(local.env).toBe('development');
    const exposed = () => loadConfig({ HOST: '0.0.0.0' });
    expect(exposed).toThrow(
      /JWT_SECRET_KEY: must be set to a secret of your own \(NODE_ENV is production because HOST/,
    );
    const served = loadConfig({ HOST: '0.0.0.0', JWT_SECRET_KEY: 'a-real-secret-of-enough-length' });
    expect(served.env).toBe('production');
    expect(served.seed.onStart).toBe(false);
    // Chosen explicitly, development may listen anywhere.
    expect(loadConfig({ HOST: '0.0.0.0', NODE_ENV: 'development' }).env).toBe('development');
  });

  it('refuses the published seed password whenever it would seed outside development', () => {
    const secret = { JWT_SECRET_KEY: 'a-real-secret-of-enough-length' };
    expect(() => loadConfig({ ...secret, NODE_ENV: 'production', SEED_ON_START: 'true' })).toThrow(
      /SEED_ADMIN_PASSWORD: must be set/,
    );
    expect(() => loadConfig({ ...secret, NODE_ENV: 'production', SEED_ON_START: 'true' })).not.toThrow(
      new RegExp(DEV_SEED_PASSWORD),
    );
    expect(
      loadConfig({ ...secret, NODE_ENV: 'production', SEED_ON_START: 'true', SEED_ADMIN_PASSWORD: 'An0ther-Secret' })
        .seed.onStart,
    ).toBe(true);
  });

  it('allows the test mode its defaults on loopback only', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).auth.jwtSecret).toBe(DEV_JWT_SECRET);
    expect(() => loadConfig({ NODE_ENV: 'test', HOST: '0.0.0.0' })).toThrow(/JWT_SECRET_KEY/);
  });

  it('trusts no proxy by default and accepts addresses and CIDR blocks only', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7,::1,fd00::/8' }).trustedProxies).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['loopback', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129', '10.0.0.0/x']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
    }
  });
});
