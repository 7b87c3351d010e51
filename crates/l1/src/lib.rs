//! # hyperinterp-l1
//!
//! The task every generated network is judged on: compute the L1 norm
//! `||x||_1` of `x ~ N(0, I_n)` (or uniform inputs), scored by NMSE with the
//! exact target variance ([`L1Task`], a core [`Task`](hyperinterp_core::Task)).
//! It also writes the task's known algorithms into weights by hand —
//! [`double_sided`], [`pudding`] of either sign, [`spread_out_pudding`] and
//! [`convexity`] — as reference networks and classifier test cases, and trains
//! the paper's baseline, one MLP fitted directly with Adam ([`train_adam`]).
//!
//! ```
//! use hyperinterp_core::{Sign, Task};
//! use hyperinterp_l1::{double_sided, pudding, L1Task, SHARPNESS};
//! let task = L1Task::default();
//! let exact = double_sided(8, 24, SHARPNESS)?;
//! let cheaper = pudding(8, 24, Sign::Positive, SHARPNESS, 1.0)?;
//! assert!(task.nmse_of(&exact, 5000, 0)? < 0.01);
//! assert!(task.nmse_of(&cheaper, 5000, 0)? < 0.01);
//! # Ok::<(), hyperinterp_core::CoreError>(())
//! ```

pub mod adam;
pub mod encoders;
pub mod task;

pub use adam::{AdamBaseline, AdamBaselineConfig, train_adam};
pub use encoders::{
    ConvexityConfig, Directions, SHARPNESS, convexity, double_sided, pudding, pudding_bias,
    spread_out_pudding,
};
pub use task::{InputDistribution, L1Task, NanTargets};
