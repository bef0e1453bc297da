import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('topology-check', import.meta.dirname);
