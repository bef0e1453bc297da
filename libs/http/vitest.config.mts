import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('http', import.meta.dirname);
