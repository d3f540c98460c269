/**
 * The U-Net (Ronneberger et al. 2015) in DDPM's form, the `unet` namespace.
 *
 * residual-block.ts  GroupNorm-SiLU-Conv residual block with an optional per-channel time bias
 * unet.ts            the encoder-decoder with skip connections and an optional time embedding
 */
export { ResBlock, type ResBlockConfig, silu } from './residual-block';
export { UNet, type UNetConfig, type Downsample, DOWNSAMPLES } from './unet';
