import servicesConfig from '../eslint.services.mjs';

export default [...servicesConfig];
