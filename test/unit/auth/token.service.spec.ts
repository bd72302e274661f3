import { JwtService } from '@nestjs/jwt';

import { TOKEN_AUDIENCE, TOKEN_ISSUER, TokenService } from '../../../src/auth/token.service';
import { loadConfig } from '../../../src/infra/config/app-config';

const userId = '11111111-1111-4111-8111-111111111111';
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgresql://unused/none' });
const tokens = () => new TokenService(new JwtService({}), config);

describe('TokenService.verify', () => {
  afterEach(() => jest.restoreAllMocks());

  it('accepts its own token, again and again, with the same claims', () => {
    const service = tokens();
    const { token } = service.issue(userId, 'user', 0);
    const first = service.verify(token);
    expect(first).toMatchObject({ sub: userId, role: 'user' });
    expect(service.verify(token)).toEqual(first);
  });

  it('refuses a token altered in its payload or signature, also after the original was accepted', () => {
    const service = tokens();
    const { token } = service.issue(userId, 'user', 0);
    service.verify(token);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(() => service.verify(`${header}.${forged}.${signature}`)).toThrow();
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(() => service.verify(`${header}.${payload}.${flipped}`)).toThrow();
  });

  it('refuses a token once it has expired, although it was accepted before', () => {
    const service = tokens();
    const { token } = service.issue(userId, 'user', 0);
    const { exp } = service.verify(token);
    jest.spyOn(Date, 'now').mockReturnValue(exp * 1000 - 1);
    expect(service.verify(token).sub).toBe(userId);
    jest.spyOn(Date, 'now').mockReturnValue(exp * 1000);
    expect(() => service.verify(token)).toThrow();
  });

  it("refuses another service's token signed with the same secret", () => {
    const service = tokens();
    const other = new JwtService({}).sign(
      { sub: userId, role: 'user', jti: 'x', auth_time: 0 },
      { secret: config.auth.jwtSecret, expiresIn: 60, issuer: 'someone-else', audience: TOKEN_AUDIENCE },
    );
    expect(() => service.verify(other)).toThrow();
    expect(TOKEN_ISSUER).not.toBe('someone-else');
  });
});
