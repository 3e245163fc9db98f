// What a browser bundle of the installed fits-reader takes in (bundled by esbuild with browser defaults).
import { openFits } from '@desi/fits-reader';

globalThis.openFits = openFits;
