import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory.js';
import { describeStoreBehaviour } from './store-behaviour.js';

describeStoreBehaviour('memory', (now) => createMemoryStore({ now }));

describe('memory store', () => {
  it('hands out copies, so callers cannot change stored records', async () => {
    const store = createMemoryStore();
    const { record } = await store.claim({ scope: 's', key: 'k', operation: 'op', inputHash: 'h', ttlMs: 1000, lockMs: 100 });
    record.state = 'succeeded';
    expect((await store.get('s', 'k'))?.state).toBe('in_progress');
  });
});
