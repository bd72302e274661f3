import type { TestApp, TestUser } from './test-app';

/** GET /coaching/recommendation, then rates it (200 expected): both responses. */
export async function rateRecommendation(t: TestApp, user: TestUser, helpful = true) {
  const recommendation = await t.http().get('/coaching/recommendation').set(user.auth).expect(200);
  const feedback = await t
    .http()
    .post('/coaching/feedback')
    .set(user.auth)
    .send({ recommendation_id: recommendation.body.id, helpful })
    .expect(200);
  return { recommendation, feedback };
}
