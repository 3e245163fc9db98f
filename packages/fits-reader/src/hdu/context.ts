import type { FitsWarning } from '../errors.js';
import type { Header } from '../header/header.js';
import type { ByteSource } from '../source/byte-source.js';
import type { HduLayout } from './layout.js';

/** What a data reader needs to know about the HDU it reads. */
export interface HduContext {
  src: ByteSource;
  index: number;
  header: Header;
  layout: HduLayout;
  headerOffset: number;
  dataOffset: number;
  /** Ones' complement sum of the header blocks, when the header was read here. */
  headerSum?: number;
  warn: (w: FitsWarning) => void;
}
