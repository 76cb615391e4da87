import { describe, expect, test } from 'vitest';
import { filterOf, topicMatches } from './topic-filter';

describe('MQTT topic filters', () => {
  test.each([
    ['sport/tennis/player1', 'sport/tennis/player1', true],
    ['sport/tennis/player1', 'sport/tennis/player2', false],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis', false],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['+', '/finance', false],
    ['sport/#', 'sport', true],
    ['sport/#', 'sport/tennis/player1', true],
    ['sport/#', 'sports', false],
    ['#', 'anything/at/all', true],
    ['#', '$SYS/broker/clients/connected', false],
    ['+/broker/#', '$SYS/broker/clients/connected', false],
    ['$SYS/broker/#', '$SYS/broker/clients/connected', true],
    ['$share/workers/orders/+', 'orders/eu', true],
    ['$share/workers/orders/+', 'orders/eu/x', false],
  ])('%s against %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  test('a shared subscription names its filter after the group', () => {
    expect(filterOf('$share/g/a/#')).toBe('a/#');
    expect(filterOf('a/#')).toBe('a/#');
  });
});
