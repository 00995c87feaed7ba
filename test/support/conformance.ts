/**
 * The one conformance suite every adapter passes against its simulator: each operation's
 * success path, every documented provider error code mapped, auth failure, malformed and
 * reshaped bodies, a 503, a timeout and a refused connection.
 *
 * A provider's test file describes itself with a `ConformanceSpec` and calls `runConformance`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError, type ErrorCode } from '../../src/domain/errors.js';
import type { FaultRule, Simulator } from '../../src/sim/kit.js';
import type { ProviderAdapter, ProviderModule } from '../../src/providers/types.js';
import { testDeps } from './deps.js';
import { refusedPort } from './ports.js';

export interface ConformanceOperation<A> {
  name: string;
  /** The simulator route the operation must reach, e.g. 'GET /collect/redemptions/:id'. */
  route: string;
  call: (adapter: A) => Promise<unknown>;
  /** Reads are the operations the malformed/timeout cases use; default true for GET routes. */
  read?: boolean;
}

export interface ConformanceError<A> {
  /** The provider's own code as the adapter keeps it in `providerCode`. */
  providerCode: string;
  /** How to make the simulator produce it; omitted when the call's input alone does. */
  fault?: FaultRule;
  call: (adapter: A) => Promise<unknown>;
  expected: { code: ErrorCode; retryable: boolean };
}

export interface ConformanceSpec<C, A extends ProviderAdapter> {
  module: ProviderModule<C, A>;
  operations: ConformanceOperation<A>[];
  errors: ConformanceError<A>[];
  /** The sandbox configuration with credentials the simulator refuses. */
  badCredentials: (simulatorUrl: string) => C;
  /** The configuration pointing at another base URL (for the refused-connection case). */
  withBaseUrl: (config: C, baseUrl: string) => C;
}

export async function expectGatewayError(promise: Promise<unknown>, expected: Partial<GatewayError>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  expect(error).toMatchObject(expected);
  return error as GatewayError;
}

export function runConformance<C, A extends ProviderAdapter>(spec: ConformanceSpec<C, A>): void {
  const { module } = spec;
  describe(`${module.title} adapter conformance`, () => {
    let sim: Simulator;
    let adapter: A;
    const adapters: A[] = [];
    const make = (config: C, timeouts?: { connectMs: number; headersMs: number; totalMs: number }) => {
      const created = module.createAdapter(config, testDeps(timeouts ? { timeouts } : {}));
      adapters.push(created);
      return created;
    };
    const firstRead = () => spec.operations.find((op) => op.read ?? op.route.startsWith('GET '))!;

    beforeAll(async () => {
      sim = module.createSimulator();
      await sim.listen();
      adapter = make(module.sandboxConfig(sim.url));
    });
    beforeEach(() => sim.reset());
    afterAll(async () => {
      await Promise.all(adapters.map((a) => a.close()));
      await sim.close();
    });

    it.each(spec.operations.map((op) => [op.name, op] as const))('%s succeeds against the simulator', async (_name, op) => {
      await op.call(adapter);
      expect(sim.calls(op.route).length).toBeGreaterThan(0);
    });

    it.each(spec.errors.map((e) => [e.providerCode, e.expected.code, e] as const))(
      'maps provider code %s to %s',
      async (providerCode, _code, errorCase) => {
        if (errorCase.fault) sim.faults.inject(errorCase.fault);
        await expectGatewayError(errorCase.call(adapter), {
          code: errorCase.expected.code,
          retryable: errorCase.expected.retryable,
          provider: module.name,
          providerCode,
        });
      },
    );

    it('reports refused credentials as PROVIDER_AUTH_FAILED', async () => {
      const refused = make(spec.badCredentials(sim.url));
      await expectGatewayError(firstRead().call(refused), { code: 'PROVIDER_AUTH_FAILED', provider: module.name, retryable: false });
    });

    it('reports a body that is not JSON as PROVIDER_BAD_RESPONSE', async () => {
      const op = firstRead();
      sim.faults.inject({ route: op.route, fault: { kind: 'malformed' } });
      await expectGatewayError(op.call(adapter), { code: 'PROVIDER_BAD_RESPONSE', provider: module.name });
    });

    it('reports a body of another shape as PROVIDER_BAD_RESPONSE', async () => {
      const op = firstRead();
      sim.faults.inject({ route: op.route, fault: { kind: 'mutate', mutate: () => ({ unexpected: [1, 2, 3] }) } });
      await expectGatewayError(op.call(adapter), { code: 'PROVIDER_BAD_RESPONSE', provider: module.name });
    });

    it('reports a 503 as PROVIDER_UNAVAILABLE, retryable', async () => {
      const op = firstRead();
      sim.faults.inject({ route: op.route, fault: { kind: 'status', status: 503 } });
      await expectGatewayError(op.call(adapter), { code: 'PROVIDER_UNAVAILABLE', provider: module.name, retryable: true });
    });

    it('reports a provider slower than the timeout as PROVIDER_TIMEOUT', async () => {
      const op = firstRead();
      const quick = make(module.sandboxConfig(sim.url), { connectMs: 200, headersMs: 150, totalMs: 300 });
      await op.call(quick); // warm: tokens fetched before the fault
      sim.faults.inject({ route: op.route, fault: { kind: 'hang' } });
      await expectGatewayError(op.call(quick), { code: 'PROVIDER_TIMEOUT', provider: module.name, retryable: true });
    });

    it('reports a refused connection as PROVIDER_UNAVAILABLE that never reached the provider', async () => {
      const unreachable = make(spec.withBaseUrl(module.sandboxConfig(sim.url), `http://127.0.0.1:${await refusedPort()}`));
      await expectGatewayError(firstRead().call(unreachable), {
        code: 'PROVIDER_UNAVAILABLE', provider: module.name, requestSent: false,
      });
    });
  });
}
