/** BPE by hand on a tiny corpus, exact round trips on random text, save/load; the corpus checksums; n-grams; synthetic tasks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { Bpe, chunkText, loadTextCorpus, makeSequenceTask, ngramBaseline, sourceSnippets, tokenWindows, ChecksumError } from '../../src/data/text';

test('BPE merges on a tiny corpus follow the four steps (hand-computed answer)', () => {
  // Chunks: "aaab" and " aaab" and " ab". Pairs with counts: (a,a) 4, (a,b) 3, (' ',a) 2.
  // Merge 1: "aa" (4). Then words: [aa,a,b], [' ',aa,a,b], [' ',a,b]: (aa,a) 2, (a,b) 3, (' ',aa) 1, (' ',a) 1 → merge 2: "ab" (3).
  // Then: [aa,ab], [' ',aa,ab], [' ',ab]: (aa,ab) 2, (' ',aa) 1, (' ',ab) 1 → merge 3: "aaab".
  const bpe = Bpe.train('aaab aaab ab', { vocabSize: 259 });
  const a = 97, b = 98;
  assert.deepEqual(bpe.merges, [[a, a], [a, b], [256, 257]]);
  assert.deepEqual([bpe.token(256), bpe.token(257), bpe.token(258)], ['aa', 'ab', 'aaab']);
  assert.deepEqual(bpe.encode('aaab ab'), [258, 32, 257]);
  assert.deepEqual(chunkText('Hi, you 42!\n'), ['Hi', ',', ' you', ' 42', '!', '\n']);
});

test('BPE round trip is exact on random text, including characters never seen in training (byte fallback)', () => {
  const bpe = Bpe.train('the cat sat on the mat. the hat! '.repeat(20), { vocabSize: 300 });
  const rng = seed('rt');
  const alphabet = ['a', 'b', 't', 'h', 'e', ' ', '\n', '\t', '.', 'é', 'ß', '漢', '🙂', 'Z', '9', '  '];
  for (let k = 0; k < 200; k++) {
    const s = Array.from({ length: rng.int(40) }, () => alphabet[rng.int(alphabet.length)]).join('');
    assert.equal(bpe.decode(bpe.encode(s)), s);
  }
  assert.ok(bpe.encode('the cat').length < 'the cat'.length, 'merges shorten seen text');
  assert.deepEqual(bpe.encode('漢'), Array.from(new TextEncoder().encode('漢')), 'an unseen character is its UTF-8 bytes');
});

test('BPE save/load gives the same tokenizer; clear errors for an empty corpus, an unknown id, a bad file', () => {
  const bpe = Bpe.train('low lower lowest newer wider '.repeat(5), { vocabSize: 270 });
  const file = path.join(os.tmpdir(), `bpe-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(bpe));
  const back = Bpe.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));
  fs.unlinkSync(file);
  assert.deepEqual(back.encode('lowest wider'), bpe.encode('lowest wider'));
  assert.equal(back.vocabSize, 270);
  assert.throws(() => Bpe.train('', { vocabSize: 300 }), /corpus is empty/);
  assert.throws(() => bpe.decode([1, 270]), /unknown token id 270 at position 1/);
  assert.throws(() => Bpe.fromJSON({ merges: [] } as never), /not a genlab BPE vocabulary/);
  assert.throws(() => new Bpe([[300, 1]]), /not yet defined/);
  assert.deepEqual(bpe.truncate(260).merges, bpe.merges.slice(0, 4));
});

test('the shipped corpus loads with its checksums; a changed file is a ChecksumError', () => {
  const c = loadTextCorpus({ name: 'shakespeare' });
  assert.equal(c.documents.length, 10);
  assert.ok(c.train.length > 1_000_000 && c.val.length > 100_000);
  assert.ok(c.train.includes('To be, or not to be'));
  const m = loadTextCorpus({ name: 'milton' });
  assert.ok(m.train.startsWith('PARADISE LOST'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'milton-'));
  fs.writeFileSync(path.join(dir, 'paradise_lost_gut.txt'), 'Of Mans First Disobedience\n');
  assert.throws(() => loadTextCorpus({ name: 'milton', dir }), ChecksumError);
  fs.rmSync(dir, { recursive: true });
});

test('n-gram baselines: a deterministic bigram stream costs almost nothing, the unigram log V', () => {
  const train = Array.from({ length: 4000 }, (_, i) => i % 4);
  const held = Array.from({ length: 400 }, (_, i) => i % 4);
  const bi = ngramBaseline(train, held, 4, 2);
  const uni = ngramBaseline(train, held, 4, 1);
  assert.ok(bi.natsPerToken < 0.01, `bigram ${bi.natsPerToken}`);
  assert.ok(Math.abs(uni.natsPerToken - Math.log(4)) < 1e-3, `unigram ${uni.natsPerToken}`);
});

test('windows, snippets and synthetic tasks: shapes, rules, seeds', () => {
  const before = tf.memory().numTensors;
  const w = tokenWindows([0, 1, 2, 3, 4, 5, 6], 3, { stride: 2 });
  assert.deepEqual(w.arraySync(), [[0, 1, 2], [2, 3, 4], [4, 5, 6]]);
  const t = makeSequenceTask({ task: 'reverse', n: 5, length: 6, symbols: 4, seed: 1 });
  const x = t.x.arraySync(), y = t.y.arraySync();
  x.forEach((row, i) => assert.deepEqual(y[i], [...row].reverse()));
  const s = makeSequenceTask({ task: 'sort', n: 5, length: 6, symbols: 4, seed: 1 });
  s.y.arraySync().forEach((row, i) => assert.deepEqual(row, [...x[i]!].sort((a, b) => a - b)));
  const again = makeSequenceTask({ task: 'reverse', n: 5, length: 6, symbols: 4, seed: 1 });
  assert.deepEqual(again.x.arraySync(), x, 'same seed, same data');
  tf.dispose([again.x, again.y]);
  const sn = sourceSnippets([[1, 1, 1, 1, 1], [2, 2, 2, 2]], { length: 3, perSource: 4, seed: 0 });
  const lab = sn.labels.arraySync();
  sn.tokens.arraySync().forEach((row, i) => assert.ok(row.every((v) => v === lab[i]! + 1)));
  tf.dispose([w, t.x, t.y, s.x, s.y, sn.tokens, sn.labels]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});
