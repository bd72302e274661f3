import { loadConfig } from '../../src/infra/config/app-config';
import { PrismaService } from '../../src/infra/prisma/prisma.service';

describe('PrismaService pool', () => {
  it('survives an idle connection failing before Prisma ever connected (database restart, admin termination)', async () => {
    // Prisma's adapter listens for pool errors only while connected; without a listener of our
    // own, pg's 'error' event would throw and crash the process.
    const prisma = new PrismaService(loadConfig({ DATABASE_URL: 'postgresql://nobody:nothing@127.0.0.1:1/none' }));
    try {
      expect(() =>
        prisma.pool.emit('error', new Error('terminating connection due to administrator command')),
      ).not.toThrow();
    } finally {
      await prisma.pool.end();
    }
  });
});
