import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('deploy', import.meta.dirname);
