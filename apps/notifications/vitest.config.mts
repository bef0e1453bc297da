import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('notifications', import.meta.dirname);
