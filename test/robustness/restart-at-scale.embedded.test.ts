/** Restarts at 5,000 versions on the embedded database: see restart-at-scale.ts. */
import { restartSuite } from './restart-at-scale.ts';

restartSuite('embedded');
