import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('cache', import.meta.dirname);
