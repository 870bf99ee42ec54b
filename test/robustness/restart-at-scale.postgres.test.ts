/** Restarts at 5,000 versions on PostgreSQL (GALLEON_TEST_DATABASE_URL): see restart-at-scale.ts. */
import { describe, it } from 'vitest';
import { backends } from '../support/server.ts';
import { restartSuite } from './restart-at-scale.ts';

if (backends().includes('postgres')) restartSuite('postgres');
else describe('restarts at 5,000 versions (postgres database)', () => it.skip('needs GALLEON_TEST_DATABASE_URL', () => {}));
