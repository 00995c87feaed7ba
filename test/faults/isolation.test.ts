/**
 * Bulkheads: one provider hanging does not slow the others. Latency of queries to the four healthy
 * providers is measured in the same test without the fault and with it, and compared by ratio.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/ids.js';
import type { ProviderName } from '../../src/domain/provider.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { healthOf, median, onlyError, READS, readyz, timed } from './support.js';

const HEALTHY: ProviderName[] = ['returningai', 'capillary', 'pers', 'triple'];
const momentRead = (i: number) => `{ redemption(id: "${toGlobalId('moment', `rdm_${i.toString(16).padStart(24, 'a')}`)}") { id } }`;

describe('one provider hanging', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      env: {
        // Simulated network latency, so the healthy queries take a measurable time.
        SIMULATOR_LATENCY_MS: '15',
        UPSTREAM_TIMEOUT_MS: '800',
        RESILIENCE_RETRY_MAX_ATTEMPTS: '2',
        RESILIENCE_BREAKER_MIN_CALLS: '5',
        RESILIENCE_BREAKER_HALF_OPEN_AFTER_MS: '60000',
      },
    });
  });
  afterAll(() => gateway.stop());

  /** Milliseconds of each query to each healthy provider, over `rounds` rounds of four parallel queries. */
  async function healthyLatencies(rounds: number): Promise<number[]> {
    const latencies: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const results = await Promise.all(HEALTHY.map((provider) => timed(() => gateway.gql(READS[provider].query))));
      for (const [i, { ms, value }] of results.entries()) {
        expect(value.body.errors, HEALTHY[i]).toBeUndefined();
        latencies.push(ms);
      }
    }
    return latencies;
  }

  it('keeps the latency of queries to the other four, and opens the hanging provider\'s breaker', async () => {
    await healthyLatencies(3); // warm up: provider tokens fetched, connections open
    const without = median(await healthyLatencies(10));

    const moment = gateway.simulators.moment!;
    moment.faults.inject({ fault: { kind: 'hang' } });
    // Thirty different Moment reads hang (identical ones would share one upstream call).
    const hanging = Array.from({ length: 30 }, (_, i) => gateway.gql(momentRead(i)));
    // Measured while they hang: wait until the hanging calls hold their bulkhead slots.
    await expect.poll(async () => (await readyz(gateway)).body.providers.find((p) => p.provider === 'moment')!.inFlight, { timeout: 2_000 }).toBe(30);
    const withFault = median(await healthyLatencies(10));

    // A query mixing the hanging provider with a healthy one answers the healthy part.
    const mixed = await gateway.gql(`{ redemption(id: "${toGlobalId('moment', 'rdm_bbbbbbbbbbbbbbbbbbbbbbbb')}") { id } orderStatuses { id } }`);
    expect(mixed.body.data).toMatchObject({ redemption: null, orderStatuses: expect.arrayContaining([expect.objectContaining({ id: expect.any(String) })]) });
    expect(onlyError(mixed)).toMatchObject({ path: ['redemption'], extensions: { provider: 'moment' } });

    const answers = await Promise.all(hanging);
    expect(new Set(answers.map((answer) => onlyError(answer).extensions!.code))).toEqual(new Set(['PROVIDER_TIMEOUT']));
    expect(withFault / without, `median ${without.toFixed(1)} ms without the fault, ${withFault.toFixed(1)} ms with it`).toBeLessThan(3);

    // The hanging provider's breaker opened; the others' stayed closed.
    const ready = await readyz(gateway);
    expect(ready.body.providers.map((p) => [p.provider, p.breaker])).toEqual([
      ['returningai', 'closed'], ['capillary', 'closed'], ['pers', 'closed'], ['triple', 'closed'], ['moment', 'open'],
    ]);
    expect(await healthOf(gateway, 'moment')).toMatchObject({ breaker: 'OPEN', errorRate: 1 });
    const fast = await gateway.gql(READS.moment.query);
    expect(onlyError(fast).extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'moment' });
    expect(moment.calls(READS.moment.route)).toHaveLength(0);
  });
});
