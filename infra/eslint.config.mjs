import base from '../libs/eslint.libs.mjs';

// cdk.out holds synthesized templates and CDK's bundled handler code, not ours.
export default [...base, { ignores: ['cdk.out/**'] }];
