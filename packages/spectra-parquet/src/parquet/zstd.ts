/**
 * ZSTD compression for Parquet pages: the native zstd library through `@toondepauw/node-zstd`
 * (a Node-API binary shipped inside a registry package per platform, nothing built or downloaded at
 * install), or, where that cannot load (an unsupported platform, a browser bundle), zstd compiled to
 * WebAssembly (`@bokuweb/zstd-wasm`), which needs one `await loadZstd()` first. Both write standard
 * zstd frames, which is what Parquet's ZSTD codec is. `DESI_ZSTD=wasm` forces the WebAssembly one.
 */
import { createRequire } from 'node:module';

/** A synchronous zstd compressor. */
export interface Zstd {
  readonly backend: 'native' | 'wasm';
  compress(data: Uint8Array, level: number): Uint8Array;
  decompress(data: Uint8Array): Uint8Array;
}

interface NativeEncoder {
  encodeSync(data: Buffer): Buffer;
}

let native: Zstd | null | undefined;
/** Why the native binding did not load (kept for the error message). */
let nativeError: unknown;
let wasm: Zstd | undefined;
let wasmLoading: Promise<Zstd> | undefined;

function wantWasm(): boolean {
  return typeof process !== 'undefined' && process.env?.DESI_ZSTD === 'wasm';
}

function loadNative(): Zstd | null {
  if (native !== undefined) return native;
  native = null;
  if (wantWasm()) return null;
  try {
    // A CommonJS binding, required synchronously (the CommonJS build gets import.meta.url from tsup's shims).
    const { Encoder, Decoder } = createRequire(import.meta.url)('@toondepauw/node-zstd') as {
      Encoder: new (level: number) => NativeEncoder;
      Decoder: new () => { decodeSync(data: Buffer): Buffer };
    };
    const encoders = new Map<number, NativeEncoder>();
    const decoder = new Decoder();
    native = {
      backend: 'native',
      compress(data, level) {
        let e = encoders.get(level);
        if (!e) encoders.set(level, (e = new Encoder(level)));
        const out = e.encodeSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      },
      decompress(data) {
        const out = decoder.decodeSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      },
    };
  } catch (e) {
    nativeError = e;
    native = null;
  }
  return native;
}

/** The compressor usable right now without waiting: native, or WebAssembly once loaded; else undefined. */
export function zstdSync(): Zstd | undefined {
  return loadNative() ?? wasm;
}

/** A compressor, loading the WebAssembly one when the native binding is not available. */
export async function loadZstd(): Promise<Zstd> {
  return zstdSync() ?? loadWasmZstd();
}

/** The WebAssembly compressor (loaded once), whether or not the native one is available. */
export function loadWasmZstd(): Promise<Zstd> {
  wasmLoading ??= (async () => {
    const m = (await import('@bokuweb/zstd-wasm')) as unknown as {
      init(): Promise<void>;
      compress(data: Uint8Array, level?: number): Uint8Array;
      decompress(data: Uint8Array): Uint8Array;
    };
    await m.init();
    wasm = { backend: 'wasm', compress: (data, level) => m.compress(data, level), decompress: (data) => m.decompress(data) };
    return wasm;
  })();
  return wasmLoading;
}

/** The synchronous compressor, or a clear error saying how to get one. */
export function requireZstd(): Zstd {
  const z = zstdSync();
  if (!z)
    throw new Error(
      `ZSTD: the native binding (@toondepauw/node-zstd) did not load (${nativeError instanceof Error ? nativeError.message : 'DESI_ZSTD=wasm'}); call \`await loadZstd()\` once to use the WebAssembly build`,
      { cause: nativeError },
    );
  return z;
}
