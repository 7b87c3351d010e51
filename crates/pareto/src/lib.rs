//! # hyperinterp-pareto
//!
//! The Pareto hyperhypernetwork: it takes a complexity price beta and writes
//! every parameter of the HVAE hypernetwork, so that one training run covers
//! the whole beta range and the trained model can be queried at any beta —
//! the accuracy/complexity Pareto front from a single run. `u = (log10 beta -
//! centre)/half_width` feeds a small MLP trunk whose features `phi(u)` drive
//! one linear head per hypernetwork parameter tensor: `theta(beta) = base +
//! head(phi(u))` ([`hypernetwork_params`], driven by the hypernetwork's
//! parameter catalogue). [`Trainer`] draws G betas per step stratified
//! log-uniform, minimises `mean(NMSE + beta KL)` (semi-amortised from step
//! 2000: pulled toward its own networks refined by that objective,
//! [`SemiAmortisedConfig`]), writes metrics, atomic
//! checkpoints (resumable exactly) and evaluations on a beta grid;
//! [`Generator`] loads a trained model and generates networks at any beta.
//!
//! ```
//! use burn::tensor::Device;
//! use hyperinterp_core::Sizes;
//! use hyperinterp_pareto::{Trainer, TrainerConfig};
//! let task = hyperinterp_l1::L1Task::default();
//! let mut config = TrainerConfig { steps: 1, groups: 2, networks: 2, inputs: 16, progress: false, ..Default::default() };
//! config.sizes = vec![Sizes::new(2, 4)?];
//! config.hypernetwork.graph.layers = 1;
//! let mut trainer = Trainer::new(config, &task, &Device::default())?;
//! trainer.run(&task, None, None)?;
//! let nets = trainer.generator()?.generate(&task, 1e-3, Sizes::new(3, 6)?, 2, 0)?;
//! assert_eq!(nets.len(), 2);
//! assert!(nets[0].kl >= 0.0);
//! # Ok::<(), hyperinterp_core::CoreError>(())
//! ```

pub mod checkpoint;
pub mod generator;
pub mod model;
pub mod teacher;
pub mod trainer;

pub use checkpoint::{AdamMoments, CHECKPOINT_FORMAT, Checkpoint, TARGET_PARTS};
pub use generator::{AtBeta, Evaluation, EvaluationRow, GeneratedNetwork, Generator, LabelWeights};
pub use model::{ParetoConfig, catalogue, hypernetwork_params};
pub use teacher::{PullDistance, StartFit, Teacher, TeacherConfig, TeacherStarts, TeacherTarget};
pub use trainer::{
    EvaluationConfig, PriorWideningConfig, RunFiles, SemiAmortisedConfig, Trainer, TrainerConfig,
};
