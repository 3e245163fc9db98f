export { createPublicClient, type PublicClientOptions } from './client.js';
export {
  type DownloadItem,
  type DownloadOptions,
  type DownloadProgress,
  type DownloadResult,
  type DownloadSummary,
  downloadAll,
} from './download.js';
export { appendJournal, readJournal } from './journal.js';
export { listAll, listLeafDirectories, listPrefix, type S3Object } from './list.js';
export { startLocalArchive, startLocalS3Server } from './local-server.js';
export {
  formatLocation,
  HTTPS_MIRRORS,
  type ManifestEntry,
  manifestEntries,
  parseLocation,
  parseManifest,
  type S3Location,
  safeJoin,
} from './location.js';
export { ObjectChangedError, publicObjectUrl, S3RangeSource, type S3RangeSourceOptions } from './range-source.js';
export {
  DEFAULT_TIMEOUTS,
  isTransientError,
  isTransientStatus,
  type RequestTimeouts,
  type RetryPolicy,
  RetryWindowExceeded,
  withRetry,
} from './retry.js';
export { recommendWorkers, type SweepOptions, type SweepRow, sweepTable, workerSweep } from './sweep.js';
