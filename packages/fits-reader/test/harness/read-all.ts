/**
 * Child-process probe for hostile files: open one file, list its HDUs, read every HDU's data and
 * every table column separately, and print what happened as JSON (with the peak RSS).
 */
import { FitsError, openFits } from '../../src/index.js';

interface Outcome {
  ok: boolean;
  message?: string;
  code?: string;
  hdu?: number;
}

const result: {
  open: Outcome;
  list?: Outcome;
  hdus: Array<{ index: number; data?: Outcome; columns: Record<string, Outcome> }>;
  warnings: string[];
  maxRssMb: number;
  baseRssMb: number;
} = { open: { ok: false }, hdus: [], warnings: [], maxRssMb: 0, baseRssMb: process.resourceUsage().maxRSS / 1024 };

function fail(e: unknown): Outcome {
  if (e instanceof FitsError) return { ok: false, message: e.message, code: e.code, hdu: e.hdu };
  return { ok: false, message: `NOT A FitsError: ${(e as Error)?.stack ?? String(e)}` };
}

async function main(path: string) {
  let fits: Awaited<ReturnType<typeof openFits>>;
  try {
    fits = await openFits(path);
    result.open = { ok: true };
  } catch (e) {
    result.open = fail(e);
    return;
  }
  let count = 0;
  try {
    count = (await fits.hdus()).length;
    result.list = { ok: true };
  } catch (e) {
    result.list = fail(e);
    // HDUs before the broken one stay readable by index.
    for (let i = 0; ; i++) {
      try {
        await fits.header(i);
        count = i + 1;
      } catch {
        break;
      }
    }
  }
  for (let i = 0; i < count; i++) {
    const entry: (typeof result.hdus)[number] = { index: i, columns: {} };
    result.hdus.push(entry);
    const info = (await fits.hdus().catch(() => undefined))?.[i];
    const kind = info?.kind ?? (await fits.layout(i)).kind;
    try {
      if (kind === 'primary' || kind === 'image' || kind === 'compressed-image') {
        await fits.readImage(i);
        if (kind === 'compressed-image') {
          const c = await fits.verifyChecksum(i);
          if (c.datasum === 'bad' || c.checksum === 'bad') result.warnings.push(`HDU ${i}: CHECKSUM/DATASUM mismatch`);
        }
      } else if (kind === 'bintable' || kind === 'table') {
        const h = await fits.rawHeader(i);
        const n = Number(h.get('TFIELDS') ?? 0);
        for (let c = 1; c <= n; c++) {
          const name = String(h.get(`TTYPE${c}`) ?? `col${c}`);
          try {
            await fits.readTable(i, { columns: [name] });
            entry.columns[name] = { ok: true };
          } catch (e) {
            entry.columns[name] = fail(e);
          }
        }
      }
      entry.data = { ok: !Object.values(entry.columns).some((c) => !c.ok) };
    } catch (e) {
      entry.data = fail(e);
    }
  }
  result.warnings.push(...fits.warnings.map((w) => `${w.code}: ${w.message}`));
  await fits.close();
}

main(process.argv[2]).finally(() => {
  result.maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(result));
});
