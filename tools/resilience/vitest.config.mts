import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('resilience', import.meta.dirname);
