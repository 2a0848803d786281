/**
 * Parts from which synthetic people are assembled. Single given names and surnames are common
 * words, not people; the combinations are random, so no record describes a real person.
 * Deliberately hard cases are over-represented: hyphens, apostrophes, accents, very long and very
 * short names.
 */
export const GIVEN_F = [
  'Mary', 'Ana', 'Zoë', 'Hélène', 'Béatrice', 'Françoise', 'Aaliyah', 'Siobhan', 'Mei', 'Priya', 'Chloé', 'Renée', 'Ingrid',
  'Maria-José', 'Anne-Marie', 'Marie-Ève', 'Yolanda', 'Oluwaseun', 'Katarzyna', 'Dolores', 'Élodie', 'Jo', 'Evangelina',
  'Margaret', 'Linh', 'Fatima', 'Brigid', 'Ximena', 'Guadalupe', 'Antonietta', 'Noémie', 'Lucía',
] as const;

export const GIVEN_M = [
  'John', 'José', 'Jürgen', 'André', 'Étienne', 'Luis', 'Chidi', 'Ravi', 'Wei', 'Seán', 'Jean-Luc', 'Jean-François', 'Tomás',
  'Mohammed', 'Bartholomew', 'Ng', 'Al', 'Maximilian', 'Ruairí', 'Kofi', 'Hiroshi', 'Darnell', 'Björn', 'Íñigo', 'Cristóbal',
  'Pierre-Olivier', 'Ahmad', 'Dmitri', 'Henri', 'Łukasz', 'Francisco', 'Thanh', 'Joaquín', 'Desmond', 'Ulises',
] as const;

export const SURNAMES = [
  "O'Brien", "D'Angelo", "N'Diaye", "O'Sullivan-Reyes", "Dell'Acqua", 'Müller', 'Núñez', 'Peña', 'Gagné', 'Bélanger', 'Côté',
  'Lefèvre', 'Gonçalves', 'Schröder', 'Nguyen', 'Li', 'Ng', 'Ox', 'Smith', 'Johnson', 'Okafor', 'Papadopoulou', 'Wojciechowski',
  'Vanderwesthuizen-Abernathy', 'Bartholomew-Fitzgerald', 'Nguyen-Whitfield', 'Okafor-Lindqvist', 'García-Márquez',
  'Ramírez', 'Kowalczyk', 'Abernathy', 'Fitzpatrick', 'MacDonald', 'McAllister', 'St. Pierre', 'Van der Berg', 'De la Cruz',
  'Ibáñez', 'Østergaard', 'Jiménez', 'Featherstonehaugh', 'Huang', 'Patel', 'Moreau', 'Tremblay', 'Lévesque', 'Thériault',
  'Hernández-Villanueva', 'Kuznetsova', 'Ødegård', 'Ruiz', 'Yilmaz', 'Adeyemi', 'Brannigan', 'Whitaker', 'Zielinski',
] as const;

export const US_STREETS = ['Maple', 'Oak', 'Meridian', 'Prairie View', 'Lincoln', 'Washington', 'Cedar Creek', 'Old Mill', 'Sunset', 'Magnolia', 'Harbor', 'Elm', 'Martin Luther King Jr', 'Willow Bend', 'Country Club', 'Riverside'] as const;
export const US_SUFFIX = ['St', 'Ave', 'Rd', 'Blvd', 'Dr', 'Ln', 'Ct', 'Way', 'Pkwy', 'Cir'] as const;
export const US_CITIES: readonly (readonly [string, string, string])[] = [
  ['Springfield', 'IL', '627'], ['Peoria', 'IL', '616'], ['Madison', 'WI', '537'], ['Grand Rapids', 'MI', '495'], ['Columbus', 'OH', '432'],
  ['Albuquerque', 'NM', '871'], ['San Antonio', 'TX', '782'], ['Coeur d\'Alene', 'ID', '838'], ['Winston-Salem', 'NC', '271'],
  ['St. Louis', 'MO', '631'], ['Las Cruces', 'NM', '880'], ['Española', 'NM', '875'], ['Baton Rouge', 'LA', '708'], ['Fort Wayne', 'IN', '468'],
];

export const CA_STREETS = ['rue Sainte-Catherine', 'boul. René-Lévesque', 'rue de la Montagne', 'Bloor St W', 'Yonge St', 'King St E', 'ch. de la Côte-des-Neiges', 'Main St', 'av. du Parc', 'Queen St'] as const;
export const CA_CITIES: readonly (readonly [string, string, string])[] = [
  ['Toronto', 'ON', 'M'], ['Ottawa', 'ON', 'K'], ['Hamilton', 'ON', 'L'], ['Thunder Bay', 'ON', 'P'], ['Sudbury', 'ON', 'P'],
  ['Montréal', 'QC', 'H'], ['Trois-Rivières', 'QC', 'G'], ['Québec', 'QC', 'G'], ['Saint-Jérôme', 'QC', 'J'], ['Kingston', 'ON', 'K'],
];

export const PAYERS = ['Blue Harbor Health', 'Meridian Mutual', 'Medicare Part B', 'Lakeside Care Plan', 'Unity Health Assurance', 'Prairie State Medicaid', 'Keystone PPO', 'Summit HMO'] as const;

export const CLINICS = ['Maple Grove Family Medicine', 'Riverside Internal Medicine', 'Northgate Pediatrics', 'Clinique Saint-Laurent', 'Harbor Women\'s Health', 'Westside Primary Care', 'Lakeshore Urgent Care', 'Prairie Medical Associates'] as const;

/**
 * ICD-10-CM codes of the kinds outpatient labs see daily. Real code shapes (letter, two digits,
 * optional dot and up to four characters); which codes a page carries is random.
 */
export const ICD10 = [
  'E11.9', 'E11.65', 'I10', 'Z00.00', 'Z00.01', 'E78.5', 'E78.2', 'R53.83', 'Z12.4', 'N39.0', 'D64.9', 'E03.9', 'Z01.419',
  'R73.03', 'K21.9', 'M54.50', 'J06.9', 'R10.9', 'Z79.4', 'E55.9', 'Z13.220', 'Z11.3', 'Z34.00', 'R35.0', 'Z12.5', 'D50.9',
  'Z79.01', 'I48.91', 'E66.9', 'N18.30', 'R31.9', 'Z11.59', 'B97.7', 'N76.0', 'R87.610', 'Z30.09', 'F41.1', 'E87.1',
] as const;

export const SOURCES = ['Urine, clean catch', 'Urine, catheter', 'Endocervical swab', 'Vaginal swab', 'Throat swab', 'Wound, L forearm', 'Wound, R heel', 'Urethral swab', 'Stool', 'Sputum, expectorated'] as const;

export const COMMENTS = ['Fasting 12 h', 'Pt on warfarin', 'Call critical results', 'Repeat in 3 months', 'Pregnant, 12 wks', 'Post-op day 3', 'Hx thyroid ca', 'Non-fasting', 'Drawn by home health'] as const;

export const OTHER_TESTS = ['Lyme Ab (70300)', 'Celiac panel', 'ANA screen', 'Lead, blood', 'Cortisol AM', 'Hep B sAb', 'Amylase/Lipase', 'Zinc, serum', 'Ceruloplasmin'] as const;
