import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('topology', import.meta.dirname);
