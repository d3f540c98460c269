/**
 * The shared command-line parser (src/cli/command.ts) and the four commands built on it: one help
 * layout, one set of messages and exit codes (0 passed, 1 failed, 2 bad usage) everywhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Command, EXIT, flag, helpText, parseCommand, runCommand, UsageError, value } from '../../src/cli/command';
import type { CommandIO } from '../../src/cli/command';
import { HTML_COMMAND } from '../../src/publish/html-cli';
import { README_COMMAND } from '../../src/publish/readme-cli';
import { PUBLISH_COMMAND } from '../../src/publish/regenerate-cli';
import { RUN_COMMAND } from '../../src/runner/args';

interface Toy {
  out?: string;
  tags: string[];
  dry: boolean;
  files: string[];
}

const TOY: Command<Toy> = {
  name: 'toy',
  invocation: 'npm run toy --',
  synopsis: '[options] FILE...',
  description: 'A toy command.',
  failed: 'the toy failed',
  init: () => ({ tags: [], dry: false, files: [] }),
  options: {
    out: value('DIR', 'where to write\nsecond line', (s, v) => {
      s.out = v;
    }),
    tag: value('T', 'a tag (repeatable)', (s, v) => void s.tags.push(v), { multiple: true }),
    dry: flag('change nothing', (s) => {
      s.dry = true;
    }, 'n'),
  },
  positionals: (s, v) => void s.files.push(...v),
  finish: (s) => {
    if (s.files.length === 0) throw new UsageError('no files given.');
  },
};

/** Runs a command with captured output. */
async function run<T>(command: Command<T>, argv: string[], main: (s: T) => Promise<number> = async () => EXIT.passed) {
  let out = '';
  let err = '';
  const io: CommandIO = { out: (t) => void (out += t), err: (t) => void (err += t) };
  const code = await runCommand(command, argv, (s) => main(s), io);
  return { code, out, err };
}

describe('parseCommand (util.parseArgs underneath)', () => {
  it('applies values, inline values, repeated options, short flags, positionals and `--`', () => {
    const p = parseCommand(TOY, ['a', '--out=x', '--tag', 't1', '--tag=t2', '-n', '--', '--b']);
    assert.deepEqual(p, { help: false, settings: { out: 'x', tags: ['t1', 't2'], dry: true, files: ['a', '--b'] } });
    assert.deepEqual(parseCommand(TOY, ['a', '-h', '--bogus']), { help: true });
  });

  it('says what is wrong, the same way for every mistake', () => {
    const bad: [string[], string][] = [
      [['a', '--bogus'], 'unknown option --bogus.'],
      [['a', '-x'], 'unknown option -x.'],
      [['a', '--out'], '--out needs a value (--out DIR).'],
      [['a', '--out', '--dry'], '--out needs a value (--out DIR).'],
      [['a', '--dry=yes'], '--dry takes no value (got "yes").'],
      [['a', '--out', 'x', '--out', 'y'], '--out given twice; give it once.'],
      [[], 'no files given.'],
    ];
    for (const [argv, message] of bad) {
      assert.throws(() => parseCommand(TOY, argv), (e: unknown) => e instanceof UsageError && e.message === message, argv.join(' '));
    }
    // A value that starts with `--` counts when attached.
    assert.deepEqual(parseCommand(TOY, ['a', '--out=--dry']), { help: false, settings: { out: '--dry', tags: [], dry: false, files: ['a'] } });
  });

  it('generates the help from the option table', () => {
    assert.equal(
      helpText(TOY),
      [
        'Usage: npm run toy -- [options] FILE...',
        '',
        'A toy command.',
        '',
        'Options:',
        '  --out DIR              where to write',
        '                         second line',
        '  --tag T                a tag (repeatable)',
        '  -n, --dry              change nothing',
        '  -h, --help             show this help',
        '',
        'Exit status: 0 passed, 1 the toy failed, 2 bad usage.',
      ].join('\n'),
    );
  });
});

describe('runCommand: exit codes and messages', () => {
  it('0 with the help on stdout; 2 with one line on stderr for bad usage; what main returns otherwise', async () => {
    const help = await run(TOY, ['--help']);
    assert.deepEqual([help.code, help.err], [0, '']);
    assert.equal(help.out, helpText(TOY) + '\n');
    const bad = await run(TOY, ['a', '--bogus']);
    assert.deepEqual(bad, { code: 2, out: '', err: 'toy: unknown option --bogus. See npm run toy -- --help.\n' });
    assert.equal((await run(TOY, ['a'], async () => 1)).code, 1);
    assert.equal((await run(TOY, ['a'], async () => 0)).code, 0);
  });

  it('1 for an error in the work, 2 for bad usage found in the work', async () => {
    const failed = await run(TOY, ['a'], async () => {
      throw new Error('disk full');
    });
    assert.deepEqual(failed, { code: 1, out: '', err: 'toy: disk full\n' });
    const usage = await run(TOY, ['a'], async () => {
      throw new UsageError('no such folder a.');
    });
    assert.deepEqual(usage, { code: 2, out: '', err: 'toy: no such folder a. See npm run toy -- --help.\n' });
  });

  it('the four commands share the help layout, the messages and the exit codes', async () => {
    const commands = [RUN_COMMAND, HTML_COMMAND, README_COMMAND, PUBLISH_COMMAND] as Command<unknown>[];
    for (const c of commands) {
      const help = helpText(c);
      assert.match(help, /^Usage: \S.*\n\n[\s\S]+\n\nOptions:\n(  .*\n)+  -h, --help             show this help\n\nExit status: 0 passed, 1 [^,]+, 2 bad usage\.$/, c.name);
      const hint = `See ${c.invocation ?? c.name} --help.\n`;
      assert.deepEqual(await run(c, ['--frobnicate']), { code: 2, out: '', err: `${c.name}: unknown option --frobnicate. ${hint}` });
      // Every option that takes a value says so the same way when the value is missing.
      for (const [name, spec] of Object.entries(c.options)) {
        if (spec.metavar === undefined) continue;
        const r = await run(c, [`--${name}`]);
        assert.deepEqual(r, { code: 2, out: '', err: `${c.name}: --${name} needs a value (--${name} ${spec.metavar}). ${hint}` }, `${c.name} --${name}`);
      }
    }
  });

  it('checks option values where they are parsed', async () => {
    const readme = await run(README_COMMAND, ['--only', 'everything']);
    assert.equal(readme.code, 2);
    assert.match(readme.err, /^readme: --only must be one of results, lecture-map, cli-help, got "everything"\./);
    const html = await run(HTML_COMMAND, ['no/such/folder']);
    assert.deepEqual([html.code, html.err], [2, 'html: no folder no/such/folder; give a folder of executed notebooks. See npm run html -- --help.\n']);
    const runner = await run(RUN_COMMAND, ['x.ipynb', '--transport', 'udp']);
    assert.match(runner.err, /^genlab-run: --transport must be tcp or ipc, got "udp"\./);
  });
});

describe('the command-line entry points', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  const entry = (file: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, file), ...args], { cwd: ROOT, encoding: 'utf8' });
  it('exit 2 on bad usage and 0 on --help, as processes', () => {
    for (const [file, name] of [
      ['src/runner/cli.ts', 'genlab-run'],
      ['src/publish/html-cli.ts', 'html'],
      ['src/publish/readme-cli.ts', 'readme'],
      ['src/publish/regenerate-cli.ts', 'notebooks:publish'],
    ] as const) {
      const bad = entry(file, ['--frobnicate']);
      assert.equal(bad.status, 2, `${file}: ${bad.stderr}`);
      assert.match(bad.stderr, new RegExp(`^${name}: unknown option --frobnicate\\. See `));
      const help = entry(file, ['-h']);
      assert.equal(help.status, 0, file);
      assert.match(help.stdout, /^Usage: /);
    }
  });
});
