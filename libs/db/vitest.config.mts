import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('db', import.meta.dirname);
