/**
 * What the fields of the Ontario Laboratory Requisition (form 4422-84, 2010/09) mean to a lab.
 *
 * The template itself (where each field is) is made at run time by the reader from the blank PDF
 * and an OSCAR coordinate map that an administrator uploads; its field keys are the map's names.
 * This module supplies the other half: the role of each key, the test names as printed on the
 * form, and the codes of a fictional lab ("ONLAB") that has mapped each printed test to its own
 * code. A real lab replaces the codes with its own; the printed names stay.
 */
import type { TemplateDefinition } from '@nexession/reader';
import type { LabFieldMeaning, LabForm, LabTest } from '../types.ts';

const test = (code: string, name: string, extra: Omit<LabTest, 'code' | 'name'> = {}): LabFieldMeaning => ({
  role: 'order.test',
  test: { code, name, ...extra },
});

/** Keyed by the OSCAR map's field names. */
export const ONTARIO_2010_MEANINGS: Readonly<Record<string, LabFieldMeaning>> = {
  // Requisitioning clinician block (top left).
  reqProvName: { role: 'provider.name' },
  provName: { role: 'other' }, // a second name line in the clinician block
  clinicName: { role: 'provider.clinic_name' },
  clinicAddress: { role: 'provider.address' },
  clinicCity: { role: 'provider.address' },
  clinicPC: { role: 'provider.address' },
  practitionerNo: { role: 'provider.practitioner_number' },
  cpsoNo: { role: 'other' }, // CPSO / registration number
  clinicianContactUrgent: { role: 'provider.critical_contact_phone' },
  clientRefNo: { role: 'other' },

  // Payment: "Check (✓) one".
  ohip: { role: 'insurance.kind', value: 'OHIP' },
  thirdParty: { role: 'insurance.kind', value: 'third_party' },
  wcb: { role: 'insurance.kind', value: 'WSIB' },

  aci: { role: 'order.comment' }, // Additional Clinical Information (e.g. diagnosis)

  copy2clinician: { role: 'other', value: 'copy_to_clinician' },
  copyLname: { role: 'other' },
  copyFname: { role: 'other' },
  copyAddress: { role: 'other' },

  // Patient.
  healthNumber: { role: 'patient.health_number' },
  version: { role: 'patient.health_number_version' },
  male: { role: 'patient.sex', value: 'M' },
  female: { role: 'patient.sex', value: 'F' },
  patientBirthYear: { role: 'patient.dob_year' },
  patientBirthMth: { role: 'patient.dob_month' },
  patientBirthDay: { role: 'patient.dob_day' },
  hcType: { role: 'other' }, // province of the health card
  oprn: { role: 'other' }, // other provincial registration number
  phoneNumber: { role: 'patient.phone' },
  patientLastName: { role: 'patient.last_name' },
  patientFirstName: { role: 'patient.first_name' }, // printed "First & Middle Names"
  patientAddress: { role: 'patient.address_line' },
  patientCity: { role: 'patient.city' },
  patientPC: { role: 'patient.postal_code' },
  patientChartNo: { role: 'patient.mrn' },

  // Biochemistry.
  b_glucose: test('GLU', 'Glucose'),
  b_glucose_random: { role: 'other', value: 'glucose_random' },
  b_glucose_fasting: { role: 'other', value: 'glucose_fasting' },
  b_hba1c: test('HBA1C', 'HbA1C'),
  b_tsh: test('TSH', 'TSH'),
  b_creatinine: test('CREA', 'Creatinine (eGFR)'),
  b_uricAcid: test('URIC', 'Uric Acid'),
  b_sodium: test('NA', 'Sodium'),
  b_potassium: test('K', 'Potassium'),
  b_chloride: test('CL', 'Chloride'),
  b_ck: test('CK', 'CK'),
  b_alt: test('ALT', 'ALT'),
  b_alkPhosphatase: test('ALP', 'Alk. Phosphatase'),
  b_bilirubin: test('BILI', 'Bilirubin'),
  b_albumin: test('ALB', 'Albumin'),
  b_lipidAssessment: test('LIPID', 'Lipid Assessment'),
  b_vitaminB12: test('B12', 'Vitamin B12'),
  b_ferritin: test('FERR', 'Ferritin'),
  b_acRatioUrine: test('ACR', 'Albumin / Creatinine Ratio, Urine'),
  b_urinalysis: test('UA', 'Urinalysis (Chemical)'),
  b_neonatalBilirubin: test('NBILI', 'Neonatal Bilirubin'),
  b_childsAgeDays: { role: 'other' },
  b_childsAgeHours: { role: 'other' },
  b_cliniciansTelNo: { role: 'provider.phone' },
  b_patientsTelNo: { role: 'patient.phone' },
  b_therapeuticDrugMonitoring: test('TDM', 'Therapeutic Drug Monitoring', { requiresCollectionTime: true }),
  b_nameDrug1: { role: 'order.comment' },
  b_nameDrug2: { role: 'order.comment' },
  b_timeCollected1: { role: 'other' },
  b_timeCollected2: { role: 'other' },
  b_timeLastDose1: { role: 'other' },
  b_timeLastDose2: { role: 'other' },
  b_timeNextDose1: { role: 'other' },
  b_timeNextDose2: { role: 'other' },
  b_dateSigned: { role: 'signature.date' },

  // Hematology and immunology.
  h_cbc: test('CBC', 'CBC'),
  h_prothrombinTime: test('PTINR', 'Prothrombin Time (INR)'),
  i_pregnancyTest: test('PREG', 'Pregnancy test (Urine)'),
  i_mononucleosisScreen: test('MONO', 'Mononucleosis Screen'),
  i_rubella: test('RUBG', 'Rubella'),
  i_prenatal: test('PRENAT', 'Prenatal: ABO, RhD, Antibody Screen'),
  i_repeatPrenatalAntibodies: test('PRNAB', 'Repeat Prenatal Antibodies'),

  // Microbiology ID & sensitivities.
  m_cervical: test('CERVCX', 'Cervical'),
  m_vaginal: test('VAGCX', 'Vaginal'),
  m_vaginalRectal: test('GBS', 'Vaginal / Rectal - Group B Strep'),
  m_chlamydia: test('CHLAM', 'Chlamydia', { requiresSource: true }),
  m_chlamydiaSource: { role: 'specimen.source' },
  m_gc: test('GC', 'GC', { requiresSource: true }),
  m_gcSource: { role: 'specimen.source' },
  m_sputum: test('SPUTCX', 'Sputum'),
  m_throat: test('THRCX', 'Throat'),
  m_wound: test('WNDCX', 'Wound', { requiresSource: true }),
  m_woundSource: { role: 'specimen.source' },
  m_urine: test('URCX', 'Urine'),
  m_stoolCulture: test('STLCX', 'Stool Culture'),
  m_stoolOvaParasites: test('OAP', 'Stool Ova & Parasites'),
  m_otherSwabsPus: test('SWAB', 'Other Swabs / Pus', { requiresSource: true }),
  m_otherSwabsSource: { role: 'specimen.source' },
  m_blank: { role: 'other', value: 'other_microbiology' }, // unlabelled box; the test is written beside it
  m_blankText: { role: 'order.test_other' },
  m_specimenCollectionTime: { role: 'specimen.collection_time' },
  o_specimenCollectionDate: { role: 'specimen.collection_date' },

  // Viral hepatitis ("check one only").
  v_acuteHepatitis: test('HEPAC', 'Acute Hepatitis'),
  v_chronicHepatitis: test('HEPCH', 'Chronic Hepatitis'),
  v_immuneStatus: { role: 'other', value: 'hepatitis_immune_status' }, // "Specify" boxes below carry the tests
  v_immune_HepatitisA: test('HAVIMM', 'Immune Status / Previous Exposure: Hepatitis A'),
  v_immune_HepatitisB: test('HBVIMM', 'Immune Status / Previous Exposure: Hepatitis B'),
  v_immune_HepatitisC: test('HCVAB', 'Immune Status / Previous Exposure: Hepatitis C'),

  // PSA.
  psa_total: test('PSAT', 'Total PSA'),
  psa_free: test('PSAF', 'Free PSA'),
  psa_insured: { role: 'insurance.kind', value: 'PSA_insured' },
  psa_uninsured: { role: 'insurance.kind', value: 'PSA_uninsured' },

  // Vitamin D: the two boxes are the order itself, insured or not.
  vitd_insured: test('VITD', 'Vitamin D (25-Hydroxy): Insured'),
  vitd_uninsured: test('VITDU', 'Vitamin D (25-Hydroxy): Uninsured'),

  // Other tests, one per line.
  o_otherTests1: { role: 'order.test_other' },
  o_otherTests2: { role: 'order.test_other' },
  o_otherTests3: { role: 'order.test_other' },
  o_otherTests4: { role: 'order.test_other' },
  o_otherTests5: { role: 'order.test_other' },
  o_otherTests6: { role: 'order.test_other' },
  o_otherTests7: { role: 'order.test_other' },
  o_otherTests8: { role: 'order.test_other' },
  o_otherTests9: { role: 'order.test_other' },

  // Fecal occult blood ("check one").
  fobt_nonCCC: test('FOBT', 'FOBT (non CCC)'),
  fobt_CCC: test('FOBTCCC', 'ColonCancerCheck FOBT (CCC)'),
};

export interface OntarioLabFormResult {
  labForm: LabForm;
  /** Template fields this module has no meaning for: given role `other`, for a person to map. */
  unmapped: string[];
}

/**
 * Combines a template of the Ontario 2010 requisition (made by the reader from the blank and the
 * OSCAR map) with the lab meanings above. Fields the meanings do not know get role `other` and are
 * listed, so an administrator sees them instead of them vanishing.
 */
export function ontarioLabForm(definition: TemplateDefinition, meanings: Readonly<Record<string, LabFieldMeaning>> = ONTARIO_2010_MEANINGS): OntarioLabFormResult {
  const out: Record<string, LabFieldMeaning> = {};
  const unmapped: string[] = [];
  const reviewOrder: string[] = [];
  for (const page of definition.pages) {
    for (const f of page.fields) {
      const m = meanings[f.key];
      if (m) out[f.key] = structuredClone(m);
      else {
        out[f.key] = { role: 'other' };
        unmapped.push(f.key);
      }
      reviewOrder.push(f.key);
    }
  }
  return { labForm: { template: definition, meanings: out, reviewOrder }, unmapped };
}
