// A store from its description: how the main thread and every worker thread open the same store.
import { FaultyStore } from './faultyStore.js';
import { LocalStore } from './localStore.js';
import type { Store, StoreDescription } from './store.js';

export function openStore(description: StoreDescription): Store {
  if (description.kind === 'stdout') throw new Error('the standard-output store is opened by the main thread only (new StdoutStore())');
  const store = new LocalStore(description);
  return description.faults ? new FaultyStore(store, description.faults) : store;
}

/** The description of a local dataset root (absolute), with the test-only fault spec (DWGEN_FAULT) when set. */
export function localStore(root: string, faults: string | undefined = process.env.DWGEN_FAULT): StoreDescription {
  return faults ? { kind: 'local', root, faults } : { kind: 'local', root };
}
