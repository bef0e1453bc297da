export { default } from '../../libs/eslint.libs.mjs';
