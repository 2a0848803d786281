/** Paths of the shared real test files (read in place, never copied into the repository). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REALDATA = process.env.NEXESSION_REALDATA ?? path.resolve(here, '../../../../../shared/realdata');

export const ONTARIO = {
  pdf: path.join(REALDATA, 'ontario-labreq-2010/labReqForm2010.pdf'),
  faxFine: path.join(REALDATA, 'ontario-labreq-2010/labReqForm2010_fax_fine_g3.tif'),
  faxStandard: path.join(REALDATA, 'ontario-labreq-2010/labReqForm2010_fax_standard_g3.tif'),
  map: path.join(REALDATA, 'ontario-labreq-2010/labReqPrintEncounterForm2010.txt'),
};
export const ITU_G4 = path.join(REALDATA, 'itu-fax-test-charts/itu1-8_g4.tif');

export function readBytes(p: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(p));
}
