/**
 * Per-request DataLoaders: one per provider, keyed by the provider reference. Duplicate ids are
 * coalesced; Capillary's list endpoint takes every customer in one call; the other providers are
 * read with parallel calls under a per-provider cap. Loaders of different providers are
 * dispatched in the same tick, so providers are always read in parallel.
 */
import DataLoader from 'dataloader';
import { canSee } from '../auth/rules.js';
import type { Caller } from '../domain/caller.js';
import { GatewayError } from '../domain/errors.js';
import type { ProviderName } from '../domain/provider.js';
import type { GlobalRef } from '../domain/ids.js';
import type { Redemption, RedemptionOffer } from '../domain/redemption.js';
import type { Adapters } from '../providers/registry.js';
import type { Owner } from '../store/types.js';
import { mapSettled } from '../services/limit.js';
import type { Services } from '../services/types.js';

/** At most this many concurrent reads per provider per request. */
export const PER_PROVIDER_CONCURRENCY = 8;

type Batch = (adapters: Adapters, refs: readonly string[], caller: Caller) => Promise<(Redemption | null | Error)[]>;

const each =
  (read: (adapters: Adapters, ref: string, caller: Caller) => Promise<Redemption | null>): Batch =>
  (adapters, refs, caller) =>
    mapSettled(refs, PER_PROVIDER_CONCURRENCY, (ref) => read(adapters, ref, caller));

/** Capillary references are `<customerId>/<redemptionId>`. */
export function parsePointsRef(ref: string): { customerId: string; redemptionId: string } | undefined {
  const slash = ref.indexOf('/');
  if (slash < 1 || slash === ref.length - 1) return undefined;
  return { customerId: ref.slice(0, slash), redemptionId: ref.slice(slash + 1) };
}

const BATCHES: Record<ProviderName, Batch> = {
  returningai: each((a, ref) => a.returningai.getOrder(ref)),
  pers: each((a, ref, caller) => a.pers.getRedeem(ref, { caller })),
  triple: each((a, ref) => a.triple.getReward(ref)),
  moment: each((a, ref) => a.moment.getRedemption(ref)),
  async capillary(adapters, refs) {
    const parsed = refs.map(parsePointsRef);
    const valid = parsed.filter((p): p is NonNullable<typeof p> => p !== undefined);
    const found = valid.length > 0 ? await adapters.capillary.getRedemptions(valid) : [];
    let next = 0;
    return parsed.map((p) => (p ? found[next++] ?? null : null));
  },
};

export interface Loaders {
  /** Reads a redemption the caller may see; NOT_FOUND for one that is missing or not theirs. */
  redemption(ref: GlobalRef): Promise<Redemption>;
  /** Reads a PERS redemption offer by id, once per request however many redeems name it; null when unknown. */
  offer(id: string): Promise<RedemptionOffer | null>;
}

export const notFound = () => new GatewayError('NOT_FOUND', 'No redemption with that id');

/**
 * Runs `dispatch` once the provider calls started in this turn of the event loop are on the wire,
 * so that the owner read (a synchronous SQLite query) overlaps the providers' latency instead of
 * delaying the calls. undici writes a request on a reused keep-alive socket in the check phase
 * (setImmediate); an immediate queued from an immediate runs in the next turn's check phase, after
 * those writes.
 */
const afterUpstreamWrites = (dispatch: () => void) => void setImmediate(() => setImmediate(dispatch));

/** Loaders are built on first use: most requests need one or two of them, many need none. */
export function createLoaders(services: Services, caller: Caller | null): Loaders {
  let owners: DataLoader<string, Owner | undefined> | undefined;
  let offers: DataLoader<string, RedemptionOffer | null> | undefined;
  const ownersLoader = () =>
    (owners ??= new DataLoader((keys) => services.store.getOwners(keys), { batchScheduleFn: afterUpstreamWrites }));
  const offersLoader = () =>
    (offers ??= new DataLoader((ids) => mapSettled(ids, PER_PROVIDER_CONCURRENCY, (id) => services.adapters.pers.getOffer(id))));
  const byProvider = new Map<ProviderName, DataLoader<string, Redemption | null>>();
  const loaderFor = (provider: ProviderName, who: Caller) => {
    let loader = byProvider.get(provider);
    if (!loader) {
      loader = new DataLoader((refs) => BATCHES[provider](services.adapters, refs, who), { maxBatchSize: 100 });
      byProvider.set(provider, loader);
    }
    return loader;
  };

  return {
    async redemption({ provider, ref }) {
      if (!caller) throw new GatewayError('UNAUTHENTICATED', 'Authentication required: send a valid bearer token');
      const [redemption, owner] = await Promise.all([
        loaderFor(provider, caller).load(ref),
        ownersLoader().load(`${provider}:${ref}`),
      ]);
      if (!redemption || !canSee(caller, redemption, owner)) throw notFound();
      return redemption;
    },
    offer: (id) => offersLoader().load(id),
  };
}

