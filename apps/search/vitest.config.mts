import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('search', import.meta.dirname);
