import { openTestPostgresStore } from './postgresTestHarness.js';
import { storeConformance } from './storeConformance.js';

storeConformance('PostgreSQL', openTestPostgresStore);
