import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('contracts', import.meta.dirname);
