import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('logger', import.meta.dirname);
