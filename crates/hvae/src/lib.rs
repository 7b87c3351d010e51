//! # hyperinterp-hvae
//!
//! The hypernetwork that writes L1 networks and prices them. A graph
//! transformer (from `hyperinterp-graph-transformer`) runs over the graph of
//! the MLP to be generated; after each layer every node draws a latent
//! (`q(z|h) = N(mu(h), sigma(h)^2)`, KL against `N(0, I)`), which breaks the
//! symmetry between neurons; decoders then give a mean and a log-std for
//! every parameter of the MLP, the weights are sampled, and each weight's KL
//! against its prior `N(0, sigma0^2)` is summed into the network's
//! description length in nats. Beta prices that KL: [`train_fixed_beta`]
//! minimises `NMSE + beta · KL`. Parameters are either owned
//! ([`Hypernetwork`], a `Module` implementing core's `NetworkGenerator`) or
//! handed in per group by the Pareto hyperhypernetwork ([`generate`] on a
//! `ParamSet`): one code path, one parameter [`catalogue`].
//! [`fit_posterior`] minimises the same objective for one network directly,
//! from a given start, which says which algorithm the objective itself
//! prefers at a beta; [`refine`] does it for a batch of decoded networks at
//! once, the targets of semi-amortised training.
//!
//! ```
//! use burn::tensor::Device;
//! use hyperinterp_core::{NetworkGenerator, Sizes};
//! use hyperinterp_hvae::{Hypernetwork, HypernetworkConfig};
//! let device = Device::default();
//! let task = hyperinterp_l1::L1Task::default();
//! let model = Hypernetwork::new(HypernetworkConfig::default(), &task, Sizes::new(4, 12)?, 0, &device)?;
//! let generated = model.generate(Sizes::new(4, 12)?, 2, 1, &device)?;
//! let kl = hyperinterp_core::to_vec(&generated.kl.total(), "kl")?;
//! assert!(kl.iter().all(|&k| k >= 0.0));
//! # Ok::<(), hyperinterp_core::CoreError>(())
//! ```

pub mod config;
pub mod hypernetwork;
pub mod model;
pub mod posterior;
pub mod train;

pub use config::{
    HiddenRoles, HypernetworkConfig, PriorScales, PriorSigmas, PriorWidths, RANDOM_FEATURES,
    SizeFeatureLimits, WeightScaling,
};
pub use hypernetwork::{Hypernetwork, calibrate};
pub use model::{
    Decoded, DecodedKind, Generation, Noise, catalogue, generate, normal_kl, standard_normal_kl,
};
pub use posterior::{
    PosteriorFit, PosteriorFitConfig, RefinementConfig, fit_posterior, fit_posteriors, refine,
};
pub use train::{
    MetricsLog, ParamAdam, StepMetrics, TrainingConfig, progress_bar, step_seed, train_fixed_beta,
};
