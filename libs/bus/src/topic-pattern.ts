/**
 * AMQP topic matching, as RabbitMQ's topic exchange does it: words are separated
 * by `.`, `*` matches exactly one word and `#` matches zero or more words.
 * Used by the in-process bus so that its routing is the broker's routing.
 */
export function topicMatches(pattern: string, routingKey: string): boolean {
  return compileTopicPattern(pattern)(routingKey);
}

/** Compiles a pattern once into a predicate over routing keys (the memory bus matches every publish). */
export function compileTopicPattern(pattern: string): (routingKey: string) => boolean {
  const patternWords = splitWords(pattern);
  return (routingKey) => matchWords(patternWords, splitWords(routingKey));
}

function splitWords(text: string): string[] {
  // RabbitMQ treats the empty key as zero words, so `#` matches it and `*` does not.
  return text === '' ? [] : text.split('.');
}

/** Dynamic programming over (pattern word, key word) so `#.#.x` style patterns stay linear-ish, not exponential. */
function matchWords(pattern: string[], key: string[]): boolean {
  // can[j] = pattern[0..i) matches key[0..j)
  let can: boolean[] = new Array(key.length + 1).fill(false);
  can[0] = true;
  for (const word of pattern) {
    const next: boolean[] = new Array(key.length + 1).fill(false);
    if (word === '#') {
      // `#` keeps every reachable position and extends it over any number of further words.
      let reachable = false;
      for (let j = 0; j <= key.length; j++) {
        reachable = reachable || can[j] === true;
        next[j] = reachable;
      }
    } else {
      for (let j = 1; j <= key.length; j++) {
        next[j] = can[j - 1] === true && (word === '*' || word === key[j - 1]);
      }
    }
    can = next;
  }
  return can[key.length] === true;
}
