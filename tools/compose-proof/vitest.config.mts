import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('compose-proof', import.meta.dirname);
