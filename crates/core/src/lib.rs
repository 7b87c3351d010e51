//! # hyperinterp-core
//!
//! The shared vocabulary of hyperinterp. A two-layer network
//! `f(x) = sum_j a_j act(W_j . x + b_j) + c` is an [`Mlp`] (plain vectors, for
//! analysis, drawing and export) or, many at once, an [`MlpBatch`] (burn
//! tensors with a leading batch axis, for training). The other crates compose
//! through two small traits: a [`Task`] scores networks by NMSE, a
//! [`NetworkGenerator`] writes networks and prices them in nats ([`Kl`]); the
//! price per nat is [`Beta`]. The [`export`] module reads and writes networks
//! as JSON and safetensors, and every malformed input is a [`CoreError`].
//!
//! This crate is backend-free: pick a burn backend with a `Device` at run time.
//!
//! ```
//! use hyperinterp_core::{Activation, Mlp};
//! // |x| = swish(x) - ... : a one-input double-sided pair, f(x) = x tanh(5x)
//! let k = 10.0;
//! let net = Mlp::new(1, 2, vec![k, -k], vec![0.0, 0.0], vec![1.0 / k, 1.0 / k], 0.0, Activation::Swish)?;
//! assert!((net.forward(&[2.0])? - 2.0).abs() < 1e-3);
//! assert!((net.forward(&[-2.0])? - 2.0).abs() < 1e-3);
//! # Ok::<(), hyperinterp_core::CoreError>(())
//! ```

pub mod batch;
pub mod error;
pub mod export;
pub mod guidance;
pub mod mlp;
pub mod schedule;
pub mod task;

pub use batch::{MlpBatch, to_vec};
pub use error::{CoreError, Result, require_at_least_one, require_positive};
pub use guidance::Guidance;
pub use mlp::{Activation, Mlp, Sign, Sizes};
pub use schedule::warmup_cosine;
pub use task::{
    Beta, GeneratedNetworks, Kl, Labelled, NetworkClassifier, NetworkGenerator, Task,
    validate_sizes,
};
