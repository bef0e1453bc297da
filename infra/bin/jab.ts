#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildJab } from '../src/app.js';

// Every environment, every time: `cdk synth` (and `npm test`) proves all of them offline.
const app = new App();
buildJab(app);
app.synth();
