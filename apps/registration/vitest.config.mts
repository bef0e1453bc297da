import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('registration', import.meta.dirname);
