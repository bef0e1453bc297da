import { defineService, migrationsNear } from '@jab/runtime';
import { buildApi, buildConsumers } from './app.js';
import { analyticsConfig } from './config.js';
import { loadPopulationCommand } from './population/population.command.js';
import { runReportCommand } from './reports/run-report.command.js';
import { RUN_REPORT_COMMAND } from './reports/reports.service.js';

export const analyticsService = defineService({
  name: 'analytics',
  config: analyticsConfig,
  migrationsDir: migrationsNear(import.meta.dirname),
  api: buildApi(import.meta.dirname),
  consumers: buildConsumers,
  commands: {
    'load-population': loadPopulationCommand,
    [RUN_REPORT_COMMAND]: runReportCommand,
  },
});
