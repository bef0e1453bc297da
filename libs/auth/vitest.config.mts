import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('auth', import.meta.dirname);
