//! # hyperinterp
//!
//! Generate small neural networks whose algorithm a person can read. This
//! facade re-exports the workspace's crates — each usable on its own — and
//! chooses the burn backend: features `flex` and `ndarray` (CPU, both on by
//! default; flex is the faster, see BENCHMARKS.md) and `wgpu` (GPU) compile
//! backends in, and [`backend::device`] picks one at run time.
//!
//! * [`core`] — networks ([`core::Mlp`], [`core::MlpBatch`]), the `Task` and
//!   `NetworkGenerator` traits, `Beta`, `Kl`, export to JSON and safetensors.
//! * [`l1`] — the L1-norm task, hand-written algorithms, the Adam baseline.
//! * [`phases`] — order parameters (locality, double-sidedness, pudding
//!   slope), algorithm labels, readable formulas and phase tables.
//! * [`report`] — network drawings, heatmaps, phase diagrams and the
//!   self-contained HTML report with `report.json`.
//! * [`graph_transformer`] — graph-transformer layers over the graph of an MLP.
//! * [`hvae`] — the HVAE hypernetwork that writes L1 networks and prices them in nats.
//! * [`pareto`] — the Pareto hyperhypernetwork (beta in, hypernetwork out), its
//!   resumable trainer and a `Generator` for trained models.
//!
//! ```
//! use hyperinterp::{backend, core::Task, l1};
//! let device = backend::device("default")?;
//! let net = l1::double_sided(4, 12, l1::SHARPNESS)?;
//! let batch = hyperinterp::core::MlpBatch::from_mlps(&[net], &device)?;
//! let task = l1::L1Task::default();
//! let nmse = task.nmse(&batch, task.input_tensor(1, 512, 4, 0, &device));
//! assert!(hyperinterp::core::to_vec(&nmse, "nmse")?[0] < 0.01);
//! # Ok::<(), hyperinterp::core::CoreError>(())
//! ```

pub mod cli;
pub mod discover;

pub use hyperinterp_core as core;
pub use hyperinterp_graph_transformer as graph_transformer;
pub use hyperinterp_hvae as hvae;
pub use hyperinterp_l1 as l1;
pub use hyperinterp_pareto as pareto;
pub use hyperinterp_phases as phases;
pub use hyperinterp_report as report;

pub mod backend {
    //! Choosing a compiled-in burn backend by name at run time.

    use burn::tensor::Device;
    use hyperinterp_core::{CoreError, Result};

    /// Names of the backends compiled into this build, in preference order.
    ///
    /// ```
    /// assert!(!hyperinterp::backend::available().is_empty());
    /// ```
    pub fn available() -> Vec<&'static str> {
        [
            #[cfg(feature = "flex")]
            "flex",
            #[cfg(feature = "ndarray")]
            "ndarray",
            #[cfg(feature = "wgpu")]
            "wgpu",
        ]
        .to_vec()
    }

    /// The environment variable [`from_env`] reads.
    pub const ENV_VAR: &str = "HYPERINTERP_BACKEND";

    /// The device named by the environment variable `HYPERINTERP_BACKEND`, or
    /// `default` when it is unset. Benches and tests use it so that one
    /// command measures every backend: `HYPERINTERP_BACKEND=ndarray cargo bench`.
    ///
    /// ```
    /// let device = hyperinterp::backend::from_env().unwrap();
    /// # let _ = device;
    /// ```
    pub fn from_env() -> Result<Device> {
        match std::env::var(ENV_VAR) {
            Ok(name) if !name.is_empty() => device(&name),
            _ => device("default"),
        }
    }

    /// The device for a backend name: `flex`, `ndarray`, `wgpu`, or `default`
    /// (the first of [`available`]: flex if compiled in). Not autodiff:
    /// call `.autodiff()` to train. An unknown or not-compiled name is an error.
    ///
    /// ```
    /// assert!(hyperinterp::backend::device("ndarray").is_ok());
    /// assert!(hyperinterp::backend::device("flex").is_ok());
    /// let err = hyperinterp::backend::device("tpu").unwrap_err();
    /// assert!(err.to_string().contains("tpu"));
    /// ```
    pub fn device(name: &str) -> Result<Device> {
        match name {
            #[cfg(feature = "ndarray")]
            #[allow(deprecated)]
            "ndarray" => Ok(Device::ndarray()),
            #[cfg(feature = "flex")]
            "flex" => Ok(Device::flex()),
            #[cfg(feature = "wgpu")]
            "wgpu" => Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)),
            "default" => match available().first() {
                Some(first) => device(first),
                None => Err(CoreError::config(
                    "backend",
                    "no backend compiled in: enable feature `flex`, `ndarray` or `wgpu`",
                )),
            },
            other => Err(CoreError::config(
                "backend",
                format!(
                    "{other:?} is not compiled in; available: {:?} (enable the cargo feature of the same name)",
                    available()
                ),
            )),
        }
    }
}

/// The README's Rust snippets, compiled and run as doctests so that they
/// cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
