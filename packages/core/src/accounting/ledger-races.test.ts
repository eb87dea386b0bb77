import { createMemoryStore } from '../store/memory-store.js';
import { runLedgerRaceSuite } from './ledger-race-suite.js';

runLedgerRaceSuite({ name: 'memory', create: () => createMemoryStore() });
