import { expect, it } from 'vitest';
import { optionalImport } from '../src/optional.js';

it('a missing optional package is an error saying which feature needs it and what to install', async () => {
  const missing = () => import('no-such-package-for-desi-tests' as string);
  await expect(optionalImport('no-such-package-for-desi-tests', 'writeReport', missing)).rejects.toThrow(
    'writeReport needs the optional package no-such-package-for-desi-tests: install it (npm i no-such-package-for-desi-tests)',
  );
  // Any other failure of the module stays what it is.
  const broken = () => Promise.reject(new SyntaxError('bad module'));
  await expect(optionalImport('x', 'y', broken)).rejects.toThrow('bad module');
});
