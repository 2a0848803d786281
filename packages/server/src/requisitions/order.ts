/**
 * The order exactly as a person confirmed it, for the delivery area. Built only from reviewed
 * values (never machine values): release refuses to build it while any field is unreviewed.
 */
import type { ConfirmedOrder } from '../delivery/order.ts';
import type { Extract } from './extract.ts';
import type { Loaded } from './model.ts';
import { splitNameByFormat } from './names.ts';

export function buildConfirmedOrder(
  l: Loaded,
  x: Extract,
  ids: { placerOrderNumber: string; controlId: string; messageTime: Date; pageCount: number; referenceUrl: string | null },
): ConfirmedOrder {
  if (l.fields.some((f) => f.row.review_state === 'unreviewed')) throw new Error('an order is built from reviewed fields only');
  const t = (role: string) => x.text(role).value;
  const tests = x.tests().map(({ test }) => ({ code: test.code, name: test.name, ...(test.gynCytology ? { gynCytology: true } : {}) }));
  const gyn = tests.some((tt) => tt.gynCytology);
  const insurance = {
    payer: t('insurance.payer'),
    memberId: t('insurance.member_id'),
    groupNumber: t('insurance.group_number'),
    kind: x.choice('insurance.kind').value,
  };
  const address = {
    line: t('patient.address_line'),
    city: t('patient.city'),
    state: t('patient.state'),
    postalCode: t('patient.postal_code'),
    country: null,
  };
  const fullName = t('patient.full_name');
  // The requester's name, split only by the order its form declares (one field, one comma).
  const providerFields = x.withRole('provider.name').filter((f) => typeof f.value === 'string' && f.value.trim() !== '');
  const providerSplit = providerFields.length === 1 ? splitNameByFormat(providerFields[0]!.value as string, providerFields[0]!.format) : null;
  return {
    requisitionId: l.req.id,
    placerOrderNumber: ids.placerOrderNumber,
    controlId: ids.controlId,
    messageTime: ids.messageTime,
    priority: x.stat() ? 'stat' : 'routine',
    patient: {
      // A single name field is transcribed whole as the family name: never split by guess.
      lastName: t('patient.last_name') ?? fullName,
      firstName: t('patient.first_name'),
      middleName: t('patient.middle_name'),
      dob: x.dob().value,
      sex: x.sex().value,
      mrn: t('patient.mrn'),
      healthNumber: t('patient.health_number'),
      healthNumberVersion: t('patient.health_number_version'),
      address: Object.values(address).some((v) => v !== null) ? address : null,
      phone: t('patient.phone'),
    },
    provider: {
      name: t('provider.name'),
      lastName: providerSplit?.last ?? null,
      firstName: providerSplit?.first ?? null,
      npi: t('provider.npi'),
      practitionerNumber: t('provider.practitioner_number'),
      phone: t('provider.phone'),
      address: t('provider.address'),
    },
    insurance: Object.values(insurance).some((v) => v !== null) ? insurance : null,
    tests,
    icd10: x.icd10(),
    specimen: {
      source: t('specimen.source'),
      collectionDate: x.date('specimen.collection_date').value,
      collectionTime: x.time('specimen.collection_time').value,
    },
    pap: gyn
      ? {
          lmp: x.date('pap.lmp').value ?? t('pap.lmp'),
          previousAbnormal: x.yesNo('pap.previous_abnormal').value,
          previousTreatment: x.yesNo('pap.previous_treatment').value,
          previousBiopsy: x.yesNo('pap.previous_biopsy').value,
        }
      : null,
    comments: x.withRole('order.comment').map((f) => f.value).filter((v): v is string => typeof v === 'string' && v.trim().length > 0),
    document: { id: l.req.document_id, sha256: l.documentSha256, pageCount: ids.pageCount, referenceUrl: ids.referenceUrl },
  };
}
