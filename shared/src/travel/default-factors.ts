import type { TravelFactorsInput } from './factors.js';

/**
 * The shipped travel factors: a data file, not code. The server may override any part of it
 * with a JSON file named by SAMKONS_TRAVEL_FACTORS (same shape, partial allowed; validated).
 *
 * STATUS OF THE FIGURES: the road distances are APPROXIMATE (municipality centre to Haukeland
 * University Hospital, rounded to whole km) and must be verified with Statens vegvesen's route
 * planner (https://www.vegvesen.no/trafikk/) before the figures are published. Every factor
 * marked `assumption: true` is our own estimate pending a measured or published figure.
 */
export const DEFAULT_TRAVEL_FACTORS = {
  note:
    'Distances are approximate and several factors are assumptions; each figure names its ' +
    'source. Verify before publishing results.',
  defaultDestination: 'haukeland',
  destinations: [{ id: 'haukeland', name: 'Haukeland universitetssjukehus' }],
  placesSource:
    'Approximate road distance, municipality centre to Haukeland universitetssjukehus ' +
    '(Jonas Lies vei 65, Bergen), rounded; ferry legs included where needed. Verify with ' +
    'Statens vegvesen route planner (vegvesen.no/trafikk) or an equivalent router.',
  places: [
    {
      id: 'haukeland',
      name: 'Haukeland universitetssjukehus',
      municipality: 'Bergen',
      municipalityNumber: '4601',
      roadKm: { haukeland: 0 },
    },
    {
      id: 'alver',
      name: 'Alver (Knarvik)',
      municipality: 'Alver',
      municipalityNumber: '4631',
      roadKm: { haukeland: 32 },
    },
    {
      id: 'austrheim',
      name: 'Austrheim (Årås)',
      municipality: 'Austrheim',
      municipalityNumber: '4632',
      roadKm: { haukeland: 72 },
    },
    {
      id: 'fedje',
      name: 'Fedje (ferje Fedje–Sævrøy)',
      municipality: 'Fedje',
      municipalityNumber: '4633',
      roadKm: { haukeland: 80 },
    },
    {
      id: 'masfjorden',
      name: 'Masfjorden (Masfjordnes)',
      municipality: 'Masfjorden',
      municipalityNumber: '4634',
      roadKm: { haukeland: 80 },
    },
    {
      id: 'gulen',
      name: 'Gulen (Eivindvik)',
      municipality: 'Gulen',
      municipalityNumber: '4635',
      roadKm: { haukeland: 110 },
    },
    {
      id: 'modalen',
      name: 'Modalen (Mo)',
      municipality: 'Modalen',
      municipalityNumber: '4629',
      roadKm: { haukeland: 75 },
    },
    {
      id: 'osteroy',
      name: 'Osterøy (Lonevåg)',
      municipality: 'Osterøy',
      municipalityNumber: '4630',
      roadKm: { haukeland: 38 },
    },
    {
      id: 'vaksdal',
      name: 'Vaksdal (Dalekvam)',
      municipality: 'Vaksdal',
      municipalityNumber: '4628',
      roadKm: { haukeland: 52 },
    },
  ],
  modes: {
    car: {
      kgCo2PerKm: {
        value: 0.12,
        source:
          'Assumption: average Norwegian passenger car fleet (petrol, diesel and electric mix, ' +
          'around 2022), in the style of SSB/Miljødirektoratet emission statistics; verify ' +
          "against Miljødirektoratet's current factors. Cross-check: Helse Møre og Romsdal 2020 " +
          '(437 t CO2 / 25,000 consultations = 17.5 kg per consultation).',
        assumption: true,
      },
      speedKmh: {
        value: 60,
        source:
          'Assumption: door-to-door average on rural roads and bridges north of Bergen incl. ' +
          'city traffic and parking. Cross-check: Helse Møre og Romsdal 2020 (50,000 travel ' +
          'hours / 25,000 consultations = 2 h per consultation).',
        assumption: true,
      },
      costPerKmNok: {
        value: 2.5,
        source:
          'Assumption based on the Pasientreiser standard rate for own car (about 2.50 NOK/km); ' +
          'verify the current rate at helsenorge.no/pasientreiser.',
        assumption: true,
      },
      costPerTripNok: { value: 0, source: 'Not used for car (no fixed trip cost).' },
    },
    bus: {
      kgCo2PerKm: {
        value: 0.06,
        source:
          'Assumption: per passenger-km for regional diesel/biodiesel bus, in the style of ' +
          'SSB/Miljødirektoratet emission statistics.',
        assumption: true,
      },
      speedKmh: {
        value: 40,
        source: 'Assumption: regional bus incl. stops and one change.',
        assumption: true,
      },
      costPerKmNok: {
        value: 2,
        source: 'Assumption: Skyss regional fare converted to NOK per km.',
        assumption: true,
      },
      costPerTripNok: { value: 0, source: 'Not used for bus.' },
    },
    boat: {
      kgCo2PerKm: {
        value: 0.25,
        source:
          'Assumption: per passenger-km for express boat/ferry, in the style of ' +
          'SSB/Miljødirektoratet emission statistics.',
        assumption: true,
      },
      speedKmh: {
        value: 35,
        source: 'Assumption: express boat incl. waiting and transfer.',
        assumption: true,
      },
      costPerKmNok: {
        value: 3,
        source: 'Assumption: Skyss boat fare converted to NOK per km.',
        assumption: true,
      },
      costPerTripNok: { value: 0, source: 'Not used for boat.' },
    },
    patient_taxi: {
      kgCo2PerKm: {
        value: 0.14,
        source:
          'Assumption: taxi fleet with a higher diesel share than private cars, in the style ' +
          'of SSB/Miljødirektoratet emission statistics.',
        assumption: true,
      },
      speedKmh: { value: 60, source: 'Assumption: as car.', assumption: true },
      costPerKmNok: {
        value: 20,
        source: 'Assumption: taxi tariff per km under Pasientreiser contracts.',
        assumption: true,
      },
      costPerTripNok: {
        value: 150,
        source: 'Assumption: start fee per trip under Pasientreiser contracts.',
        assumption: true,
      },
    },
    ambulance: {
      kgCo2PerKm: {
        value: 0.25,
        source: 'Assumption: diesel ambulance van.',
        assumption: true,
      },
      speedKmh: { value: 65, source: 'Assumption: non-urgent transport.', assumption: true },
      costPerKmNok: {
        value: 40,
        source: 'Assumption: ambulance running cost per km.',
        assumption: true,
      },
      costPerTripNok: {
        value: 3000,
        source: 'Assumption: crew time per non-urgent transport (one way).',
        assumption: true,
      },
    },
  },
  references: [
    {
      figure:
        '1,817,351 km saved by video/phone consultations; average patient trip about 90 km one way',
      source: 'Helse Førde 2023',
    },
    {
      figure:
        'Target 25,000 video consultations = 437 t CO2 and 50,000 travel hours (about 17.5 kg CO2 ' +
        'and 2 h per consultation)',
      source: 'Helse Møre og Romsdal 2020',
    },
    {
      figure: 'Over 11 % of hospital consultations by phone/video, target 15 %',
      source: 'Helse Vest 2021',
    },
  ],
} satisfies TravelFactorsInput;
