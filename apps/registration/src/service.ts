import { REGISTRATION_EVENT_ROUTES } from '@jab/contracts';
import { defineService, migrationsNear } from '@jab/runtime';
import { buildApi } from './app.js';
import { seedDemoCommand } from './catalogue/demo.js';
import { registrationConfig } from './config.js';
import { createStaffCommand } from './identity/staff.command.js';

export const registrationService = defineService({
  name: 'registration',
  config: registrationConfig,
  migrationsDir: migrationsNear(import.meta.dirname),
  api: buildApi,
  outbox: { routes: REGISTRATION_EVENT_ROUTES },
  commands: { 'create-staff': createStaffCommand, 'seed-demo': seedDemoCommand },
});
