/**
 * Tag of the note `npm run notebooks:publish` puts first in a published notebook (provenance.ts). It
 * describes that run, so the runner drops it from any other run's executed notebook. A module of its
 * own, with no imports, so the runner can read the constant without loading the publishing code.
 */
export const PROVENANCE_TAG = 'genlab-provenance';
