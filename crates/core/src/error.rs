//! The one error type of the core crate.

use std::path::PathBuf;

/// Everything that can go wrong when building, checking, converting or
/// (de)serialising networks. Each variant names the problem so that a user
/// reading the message knows what to fix.
///
/// ```
/// use hyperinterp_core::{CoreError, Mlp};
/// let err = Mlp::zeros(0, 4, Default::default()).unwrap_err();
/// assert!(matches!(err, CoreError::ZeroInputs));
/// assert!(err.to_string().contains("input size n"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The input size `n` is 0.
    #[error("input size n must be at least 1, got 0")]
    ZeroInputs,
    /// The hidden width `m` is 0.
    #[error("hidden width m must be at least 1, got 0")]
    ZeroHidden,
    /// A parameter has the wrong number of elements or the wrong shape.
    #[error("wrong shape for `{field}`: expected {expected:?}, found {found:?}")]
    ShapeMismatch {
        /// Which parameter (e.g. `w`, `net3.b`).
        field: String,
        /// The shape the network's sizes call for.
        expected: Vec<usize>,
        /// The shape that was given.
        found: Vec<usize>,
    },
    /// A parameter holds NaN or an infinity.
    #[error("non-finite value {value} in `{field}` at flat index {index}")]
    NonFinite {
        /// Which parameter.
        field: String,
        /// Flat (row-major) index of the first bad value.
        index: usize,
        /// The bad value.
        value: f32,
    },
    /// An input vector does not have `n` entries.
    #[error("input has {found} entries but the network takes n = {expected}")]
    InputLength {
        /// The network's `n`.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// Networks that must share sizes or activation do not.
    #[error(
        "networks in one batch must share (n, m, activation): network {index} has {found}, the first has {expected}"
    )]
    MixedBatch {
        /// Index of the first network that differs.
        index: usize,
        /// Description of the first network.
        expected: String,
        /// Description of the differing network.
        found: String,
    },
    /// An empty list of networks where at least one is needed.
    #[error("no networks given: at least one is needed")]
    Empty,
    /// A configuration field is out of range.
    #[error("invalid configuration: `{field}` {reason}")]
    InvalidConfig {
        /// The offending field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A JSON document could not be parsed.
    #[error("malformed JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A safetensors file could not be parsed (truncated, corrupted, not safetensors).
    #[error("malformed safetensors data: {0}")]
    Safetensors(String),
    /// A tensor expected in a safetensors file is missing.
    #[error("tensor `{name}` is missing from the safetensors file")]
    MissingTensor {
        /// The tensor name.
        name: String,
    },
    /// A tensor in a safetensors file has a dtype other than f32.
    #[error("tensor `{name}` has dtype {dtype}, expected F32")]
    WrongDtype {
        /// The tensor name.
        name: String,
        /// The dtype found.
        dtype: String,
    },
    /// Reading a tensor back from a device failed.
    #[error("could not read tensor `{field}` from the device: {reason}")]
    TensorRead {
        /// Which tensor.
        field: String,
        /// The backend's message.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl CoreError {
    /// Shorthand for an [`CoreError::InvalidConfig`] error.
    ///
    /// ```
    /// let e = hyperinterp_core::CoreError::config("steps", "must be positive");
    /// assert_eq!(e.to_string(), "invalid configuration: `steps` must be positive");
    /// ```
    pub fn config(field: impl Into<String>, reason: impl Into<String>) -> Self {
        CoreError::InvalidConfig {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The same error with `prefix` put before the field it names (shape,
    /// value and configuration errors), e.g. to say which network of many.
    ///
    /// ```
    /// use hyperinterp_core::{CoreError, Mlp};
    /// let mut net = Mlp::zeros(2, 2, Default::default())?;
    /// net.a[0] = f32::NAN;
    /// let err = net.validate().unwrap_err().within("networks[3].");
    /// assert!(err.to_string().contains("networks[3].a"));
    /// # Ok::<(), CoreError>(())
    /// ```
    pub fn within(self, prefix: &str) -> Self {
        match self {
            CoreError::ShapeMismatch {
                field,
                expected,
                found,
            } => CoreError::ShapeMismatch {
                field: format!("{prefix}{field}"),
                expected,
                found,
            },
            CoreError::NonFinite {
                field,
                index,
                value,
            } => CoreError::NonFinite {
                field: format!("{prefix}{field}"),
                index,
                value,
            },
            CoreError::InvalidConfig { field, reason } => CoreError::InvalidConfig {
                field: format!("{prefix}{field}"),
                reason,
            },
            other => other,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CoreError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result with [`CoreError`].
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// Errors naming the first field whose value is 0.
///
/// ```
/// use hyperinterp_core::require_at_least_one;
/// assert!(require_at_least_one(&[("steps", 3), ("networks", 1)]).is_ok());
/// let err = require_at_least_one(&[("steps", 3), ("networks", 0)]).unwrap_err();
/// assert_eq!(err.to_string(), "invalid configuration: `networks` must be at least 1");
/// ```
pub fn require_at_least_one(fields: &[(&str, usize)]) -> Result<()> {
    match fields.iter().find(|(_, value)| *value == 0) {
        Some((field, _)) => Err(CoreError::config(*field, "must be at least 1")),
        None => Ok(()),
    }
}

/// Errors naming the first field whose value is not finite and > 0.
///
/// ```
/// use hyperinterp_core::require_positive;
/// assert!(require_positive(&[("learning_rate", 1e-3)]).is_ok());
/// assert!(require_positive(&[("clip_norm", f64::NAN)]).unwrap_err().to_string().contains("clip_norm"));
/// ```
pub fn require_positive(fields: &[(&str, f64)]) -> Result<()> {
    match fields
        .iter()
        .find(|(_, value)| !(value.is_finite() && *value > 0.0))
    {
        Some((field, value)) => Err(CoreError::config(
            *field,
            format!("must be finite and > 0, got {value}"),
        )),
        None => Ok(()),
    }
}
