export { default } from '../eslint.libs.mjs';
