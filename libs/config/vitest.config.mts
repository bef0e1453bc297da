import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('config', import.meta.dirname);
