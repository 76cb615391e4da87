import { processorRunner } from '@sluice/sdk/testing';
import { describe, expect, test } from 'vitest';
import { GeoEnrich } from '../src/geo-enrich';
import { geohash, haversineKm } from '../src/geohash';
import plugin from '../src/index';

describe('GeoEnrich', () => {
  test('geohash and haversine match known values', () => {
    expect(geohash(57.64911, 10.40744, 11)).toBe('u4pruydqqvj');
    expect(geohash(48.8584, 2.2945, 7)).toBe('u09tunq');
    // Paris to London, about 344 km.
    expect(haversineKm(48.8566, 2.3522, 51.5074, -0.1278)).toBeCloseTo(343.5, 0);
  });

  test('adds geo.geohash and geo.distance.km to FlowFiles with coordinates', async () => {
    const run = processorRunner(GeoEnrich, { precision: 5, referenceLatitude: 48.8566, referenceLongitude: 2.3522 });
    run.enqueue('{}', { lat: '51.5074', lon: '-0.1278' });
    await run.run();
    const [ff] = run.transferred('success');
    expect(ff!.attributes['geo.geohash']).toBe('gcpvj');
    expect(Number(ff!.attributes['geo.distance.km'])).toBeCloseTo(343.5, 0);
    expect(run.transferred('failure')).toHaveLength(0);
  });

  test('reads configurable attribute names', async () => {
    const run = processorRunner(GeoEnrich, { latitudeAttribute: 'y', longitudeAttribute: 'x', precision: 3 });
    run.enqueue('', { y: '0', x: '0' });
    await run.run();
    expect(run.transferred('success')[0]!.attributes['geo.geohash']).toBe('s00');
  });

  test.each([
    [{ lon: '2' }, 'attribute "lat" is missing'],
    [{ lat: 'north', lon: '2' }, 'attribute "lat" is not a number: "north"'],
    [{ lat: '48', lon: '200' }, 'attribute "lon" is out of range (±180): 200'],
  ])('routes %j to failure with a reason', async (attributes, reason) => {
    const run = processorRunner(GeoEnrich, {});
    run.enqueue('', attributes);
    await run.run();
    expect(run.transferred('success')).toHaveLength(0);
    expect(run.transferred('failure')[0]!.attributes['geo.error']).toBe(reason);
  });

  test('the plugin exports it for SDK 1', () => {
    expect(plugin).toEqual({ sdk: '^1.0.0', processors: [GeoEnrich] });
  });
});
