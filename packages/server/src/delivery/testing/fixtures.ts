/**
 * Synthetic orders and connections for delivery tests. Every person here is invented.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfirmedOrder, LisConnection } from '../order.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The shared real-data folder (read in place, never copied into the repository). */
export const REALDATA = process.env.NEXESSION_REALDATA ?? path.resolve(here, '../../../../../../shared/realdata');
export const HL7_ORDERS_DIR = path.join(REALDATA, 'hl7-orders-cdc-ti');

export function syntheticOrder(overrides: Partial<ConfirmedOrder> = {}): ConfirmedOrder {
  return {
    requisitionId: '7d3f6a52-1f0b-4d3e-9a51-0c9d2b8e4f11',
    placerOrderNumber: 'REQ000123',
    controlId: 'NX000000000123',
    messageTime: new Date('2025-03-04T15:06:07.890Z'),
    priority: 'stat',
    patient: {
      lastName: 'Testperson',
      firstName: 'Alexandra',
      middleName: 'Q',
      dob: '1984-02-29',
      sex: 'F',
      mrn: 'MRN-55501',
      healthNumber: null,
      healthNumberVersion: null,
      address: { line: '12 Synthetic Way', city: 'Springfield', state: 'IL', postalCode: '62701', country: 'USA' },
      phone: '(555) 010-2233',
    },
    provider: {
      name: null,
      lastName: 'Fictional',
      firstName: 'Morgan',
      npi: '1234567893',
      practitionerNumber: null,
      phone: '555-010-9999',
      address: '1 Clinic Plaza, Springfield',
    },
    insurance: { payer: 'Example Health Plan', memberId: 'XZ123456789', groupNumber: 'GRP-42', kind: 'commercial' },
    tests: [
      { code: '1234', name: 'CBC w/ Diff' },
      { code: 'PAP1', name: 'Pap smear, ThinPrep', gynCytology: true },
    ],
    icd10: ['Z01.419', 'N89.8'],
    specimen: { source: 'Cervix', collectionDate: '2025-03-04', collectionTime: '09:15' },
    pap: { lmp: '2025-02-14', previousAbnormal: 'N', previousTreatment: 'N', previousBiopsy: 'Y' },
    comments: ['Patient fasting since 22:00'],
    document: {
      id: '0b7c3f0e-9d51-4c1a-8f1e-2a3b4c5d6e7f',
      sha256: 'a3f1c2d4e5b6978812345678901234567890abcdefabcdefabcdefabcdef0123',
      pageCount: 1,
      referenceUrl: null,
    },
    ...overrides,
  };
}

export function syntheticConnection(overrides: Partial<LisConnection> = {}): LisConnection {
  return {
    host: '127.0.0.1',
    port: 2575,
    tls: false,
    profile: 'OML_O21',
    sendingApplication: 'NEXESSION',
    sendingFacility: 'OUTREACH-LAB',
    receivingApplication: 'LIS',
    receivingFacility: 'CORE-LAB',
    ackTimeoutSeconds: 5,
    ...overrides,
  };
}
