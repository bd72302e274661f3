import { JobRunner } from '../../src/scheduler/job-runner';
import { createTestApp, type TestApp } from '../helpers/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('scheduled jobs across replicas (e2e: two app instances, one database)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ JOB_TIMEOUT_SECONDS: '2' });
    b = await createTestApp({ JOB_TIMEOUT_SECONDS: '2' });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('runs a job once when both instances trigger it at the same time', async () => {
    const name = `probe-${Date.now()}`;
    let executions = 0;
    const job = async () => {
      executions++;
      await sleep(300);
      return { ok: true };
    };
    const outcomes = await Promise.all([a.app.get(JobRunner).run(name, job), b.app.get(JobRunner).run(name, job)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['skipped', 'succeeded']);
    expect(executions).toBe(1);
    const rows = await a.prisma.scheduledJobRun.findMany({ where: { jobName: name } });
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('succeeded');
    // The lock is released afterwards: the other instance can run it next time.
    expect((await b.app.get(JobRunner).run(name, job)).status).toBe('succeeded');
    expect(executions).toBe(2);
  });

  it('records a job that outlives its timeout as timed out, and keeps others out until it ends', async () => {
    const name = `slow-${Date.now()}`;
    let finished = false;
    const slow = async () => {
      await sleep(2500);
      finished = true;
      return {};
    };
    const first = a.app.get(JobRunner).run(name, slow);
    await sleep(200);
    expect((await b.app.get(JobRunner).run(name, async () => ({}))).status).toBe('skipped');
    const outcome = await first;
    expect(outcome.status).toBe('timed_out');
    expect(finished).toBe(true);
    const row = await a.prisma.scheduledJobRun.findFirstOrThrow({ where: { jobName: name } });
    expect(row.status).toBe('timed_out');
    expect(row.finishedAt!.getTime() - row.startedAt.getTime()).toBeGreaterThanOrEqual(1900);
  });

  it('records failures with their message and duration', async () => {
    const name = `failing-${Date.now()}`;
    const outcome = await a.app.get(JobRunner).run(name, async () => {
      throw new Error('boom');
    });
    expect(outcome).toMatchObject({ status: 'failed', details: { error: 'boom' } });
    expect(typeof outcome.duration_ms).toBe('number');
  });
});
