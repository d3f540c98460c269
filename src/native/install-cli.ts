#!/usr/bin/env node
/**
 * `npm run native:install [-- --gpu] [--force]`: builds the native TensorFlow backend into `.native/`
 * (see ./install.ts). Exit 1 with a message naming what is missing when a step cannot run.
 */
import { installNative, NativeInstallError, type NativeVariant } from './install';

const USAGE = `usage: npm run native:install [-- [--gpu | --cpu] [--force]]
  --cpu     (default) TensorFlow's C library from the tensorflow-cpu wheel on PyPI
  --gpu     the tensorflow wheel and its CUDA 12 wheels from PyPI (needs an NVIDIA GPU and driver to use;
            several GB); check it afterwards with \`npm run native:check -- --gpu\`
  --force   rebuild even if .native/<variant>/ holds a build
  --root D  the checkout to install into (default: this one)
Needs: python3 with pip, a C++17 compiler, make, tar, Node's headers. Installs into .native/ in this checkout.`;

function main(argv: string[]): number {
  let variant: NativeVariant = 'cpu';
  let force = false;
  let root: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--gpu') variant = 'gpu';
    else if (a === '--root' && argv[i + 1] !== undefined) root = argv[++i];
    else if (a === '--cpu') variant = 'cpu';
    else if (a === '--force') force = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else {
      console.error(`Unknown argument "${a}".\n${USAGE}`);
      return 2;
    }
  }
  try {
    installNative({ variant, force, root });
    return 0;
  } catch (e) {
    if (e instanceof NativeInstallError) {
      console.error(`genlab native: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
