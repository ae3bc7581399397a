import { storeContract } from '@candlelab/test-utils/storeContract';
import { MemoryStore } from './MemoryStore.js';

storeContract({ name: 'MemoryStore', open: async () => new MemoryStore() });
