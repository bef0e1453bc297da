import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('analytics', import.meta.dirname);
