/**
 * Worker-thread side of {@link EncodePool}: Parquet encoding is the pipeline's largest CPU cost per
 * pixel, so it runs here while the main thread keeps fetching and fusing the next pixels.
 */
import { parentPort } from 'node:worker_threads';
import { encodeSpectraParquet, type SpectraBatch } from '@desi/spectra-parquet/writer';

parentPort?.on('message', ({ batch }: { batch: SpectraBatch }) => {
  try {
    const bytes = encodeSpectraParquet(batch);
    parentPort?.postMessage({ bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort?.postMessage({ error: (e as Error).message });
  }
});
