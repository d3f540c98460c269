/**
 * Reference figures from the issues, keyed by check metric name, shown beside the last full run's
 * numbers in the README results table. Only metrics that have a published reference are listed; the
 * table falls back to the check's own `why` text for the others.
 */
export const REFERENCE_FIGURES: Readonly<Record<string, string>> = {
  // issue 4 (Bayesian neural networks, wine quality)
  mixture_test_rmse: 'Keras reference BNN 0.761; deterministic baseline 0.741; a BNN of two hidden layers of 32 about 0.675',
  // issue 5 (variational autoencoders, MNIST)
  vae16_test_neg_elbo_nats: '−ELBO 98.9 (784-512-16, 30 epochs); K=100 importance-weighted 93.1',
  // issue 6 (normalizing flows, two moons)
  moons_test_nll: 'NLL 1.16–1.19 (8-coupling RealNVP); Keras RealNVP 1.299',
  // issue 7 (RBMs, MNIST)
  best_rbm_ais_test_ll: "the issue's reference run, 64 hidden units: AIS test log-likelihood about −136 (CD-1), −129 (PCD)",
  // issue 8 (diffusion, 2-D)
  kde_nll_gap_to_fresh: 'KDE-NLL of samples 1.515–1.587 vs fresh data 1.483–1.498',
  mmd2_over_floor: 'MMD² ≈ 0.002 vs one-Gaussian floor 0.026',
};
