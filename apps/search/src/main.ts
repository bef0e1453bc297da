import { exitOnConfigError } from '@jab/config';
import { runService } from '@jab/runtime';
import { searchService } from './service.js';

// Bad or missing settings end the process with one message listing every problem.
await exitOnConfigError(() => runService(searchService));
