/**
 * `@desi/s3-fetch/range`: ranged reads of public objects without loading the AWS SDK (it loads only
 * if a request needs it: a HEAD for an object of unknown size, or the SDK transport). For programs
 * whose start-up counts, such as `desi-qso spectra`.
 */
export { parseLocation, type S3Location } from './location.js';
export { ObjectChangedError, publicObjectUrl, S3RangeSource, type S3RangeSourceOptions } from './range-source.js';
