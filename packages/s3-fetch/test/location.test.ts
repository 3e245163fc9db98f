import { describe, expect, it } from 'vitest';
import { formatLocation, parseLocation, parseManifest, safeJoin } from '../src/index.js';

describe('locations', () => {
  it.each([
    [
      's3://desidata/dr1/spectro/redux/iron/healpix/main/dark/100/10016/coadd-main-dark-10016.fits',
      'desidata',
      'dr1/spectro/redux/iron/healpix/main/dark/100/10016/coadd-main-dark-10016.fits',
    ],
    ['https://desidata.s3.amazonaws.com/dr1/a//b.fits', 'desidata', 'dr1/a/b.fits'],
    ['https://desidata.s3.us-west-2.amazonaws.com/dr1/a.fits', 'desidata', 'dr1/a.fits'],
    ['https://s3.us-west-2.amazonaws.com/desidata/dr1/a.fits', 'desidata', 'dr1/a.fits'],
    [
      'https://data.desi.lbl.gov/public/dr1/spectro/redux/iron/healpix/main/dark/100/10016/',
      'desidata',
      'dr1/spectro/redux/iron/healpix/main/dark/100/10016/',
    ],
    ['https://data.desi.lbl.gov/public/dr1/a%20b.fits?x=1', 'desidata', 'dr1/a b.fits'],
    ['/dr1/x.fits', 'desidata', 'dr1/x.fits'],
  ])('%s', (text, bucket, key) => {
    expect(parseLocation(text, 'desidata')).toEqual({ bucket, key });
  });

  it('round-trips s3:// form and refuses what is not S3', () => {
    expect(formatLocation({ bucket: 'b', key: 'k/x' })).toBe('s3://b/k/x');
    expect(() => parseLocation('https://example.com/a')).toThrow(/not an S3 location/);
    expect(() => parseLocation('dr1/a.fits')).toThrow(/no bucket/);
  });

  it('reads CSV, JSON-lines and plain manifests', () => {
    expect(parseManifest('key,size\ndr1/a.fits,10\ndr1/b.fits,20\n', 'desidata').map(formatLocation)).toEqual([
      's3://desidata/dr1/a.fits',
      's3://desidata/dr1/b.fits',
    ]);
    expect(parseManifest('{"url":"https://data.desi.lbl.gov/public/dr1/c.fits"}\n{"s3_uri":"s3://other/d"}').map(formatLocation)).toEqual([
      's3://desidata/dr1/c.fits',
      's3://other/d',
    ]);
    expect(parseManifest('# comment\ns3://desidata/e\n\nhttps://desidata.s3.amazonaws.com/f\n').map(formatLocation)).toEqual([
      's3://desidata/e',
      's3://desidata/f',
    ]);
  });

  it('refuses keys that would write outside the output folder', () => {
    expect(safeJoin('/out', 'dr1/a.fits')).toBe('/out/dr1/a.fits');
    for (const bad of ['../etc/passwd', 'dr1/../../x', '/etc/passwd', 'C:\\x', 'a\0b', 'dr1/..'])
      expect(() => safeJoin('/out', bad), bad).toThrow(/refusing/);
  });
});
