import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('testing', import.meta.dirname);
