import { storeContract } from '@candlelab/test-utils/storeContract';
import { recordStoreContract } from '../test/recordStoreContract.js';
import { MemoryStore } from './MemoryStore.js';

storeContract({ name: 'MemoryStore', open: async () => new MemoryStore() });
recordStoreContract({ name: 'MemoryStore', open: async () => new MemoryStore(), shared: false });
