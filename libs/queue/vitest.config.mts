import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('queue', import.meta.dirname);
