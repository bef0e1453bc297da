import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('runtime', import.meta.dirname);
