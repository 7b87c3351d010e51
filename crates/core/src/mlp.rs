//! One two-layer network `f(x) = sum_j a_j act(W_j . x + b_j) + c` in plain Rust.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// The hidden layer's nonlinearity.
///
/// ```
/// use hyperinterp_core::Activation;
/// assert_eq!(Activation::default(), Activation::Swish);
/// // swish(u) - swish(-u) = u exactly
/// let u = 0.7_f32;
/// assert!((Activation::Swish.apply(u) - Activation::Swish.apply(-u) - u).abs() < 1e-6);
/// assert_eq!(Activation::Relu.apply(-2.0), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// Swish / SiLU, `u * sigmoid(u)` (the paper's choice).
    #[default]
    Swish,
    /// ReLU, `max(u, 0)`.
    Relu,
}

impl Activation {
    /// The activation at `u`.
    pub fn apply(self, u: f32) -> f32 {
        match self {
            Activation::Swish => u / (1.0 + (-u).exp()),
            Activation::Relu => u.max(0.0),
        }
    }

    /// The derivative at `u` (ReLU's derivative at 0 is taken as 0).
    ///
    /// ```
    /// use hyperinterp_core::Activation;
    /// assert!((Activation::Swish.derivative(0.0) - 0.5).abs() < 1e-6);
    /// assert_eq!(Activation::Relu.derivative(1.0), 1.0);
    /// ```
    pub fn derivative(self, u: f32) -> f32 {
        match self {
            Activation::Swish => {
                let s = 1.0 / (1.0 + (-u).exp());
                s * (1.0 + u * (1.0 - s))
            }
            Activation::Relu => f32::from(u > 0.0),
        }
    }

    /// Lower-case name used in export formats (`"swish"`, `"relu"`).
    pub fn name(self) -> &'static str {
        match self {
            Activation::Swish => "swish",
            Activation::Relu => "relu",
        }
    }

    /// Parses the name written by [`Activation::name`].
    ///
    /// ```
    /// use hyperinterp_core::Activation;
    /// assert_eq!(Activation::from_name("relu").unwrap(), Activation::Relu);
    /// assert!(Activation::from_name("tanh").is_err());
    /// ```
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "swish" | "silu" => Ok(Activation::Swish),
            "relu" => Ok(Activation::Relu),
            other => Err(CoreError::config(
                "activation",
                format!("must be \"swish\" or \"relu\", got {other:?}"),
            )),
        }
    }
}

/// A side: which sign of an input a one-sided neuron responds to, and the
/// sign of a pudding.
///
/// ```
/// use hyperinterp_core::Sign;
/// assert_eq!(Sign::Negative.value(), -1.0);
/// assert_eq!(Sign::of(-0.3), Some(Sign::Negative));
/// assert_eq!(Sign::of(0.0), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// +1.
    Positive,
    /// −1.
    Negative,
}

impl Sign {
    /// +1.0 or −1.0.
    pub fn value(self) -> f32 {
        match self {
            Sign::Positive => 1.0,
            Sign::Negative => -1.0,
        }
    }

    /// The sign of `x`, or `None` for 0 (and NaN).
    pub fn of(x: f32) -> Option<Sign> {
        if x > 0.0 {
            Some(Sign::Positive)
        } else if x < 0.0 {
            Some(Sign::Negative)
        } else {
            None
        }
    }

    /// `"positive"` or `"negative"`.
    pub fn name(self) -> &'static str {
        match self {
            Sign::Positive => "positive",
            Sign::Negative => "negative",
        }
    }
}

/// Input size and hidden width of a two-layer network.
///
/// ```
/// use hyperinterp_core::Sizes;
/// assert!(Sizes::new(8, 24).is_ok());
/// assert!(Sizes::new(8, 0).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Sizes {
    /// Input size.
    pub n: usize,
    /// Hidden width.
    pub m: usize,
}

impl Sizes {
    /// Checked constructor: both sizes must be at least 1.
    pub fn new(n: usize, m: usize) -> Result<Self> {
        let sizes = Sizes { n, m };
        sizes.validate()?;
        Ok(sizes)
    }

    /// Errors with [`CoreError::ZeroInputs`] or [`CoreError::ZeroHidden`].
    pub fn validate(&self) -> Result<()> {
        if self.n == 0 {
            return Err(CoreError::ZeroInputs);
        }
        if self.m == 0 {
            return Err(CoreError::ZeroHidden);
        }
        Ok(())
    }
}

/// One network `f(x) = sum_j a_j act(sum_i W_ji x_i + b_j) + c` held as plain
/// vectors, for analysis, drawing and export.
///
/// `w` is row-major `[m, n]`: row `j` holds hidden neuron `j`'s input weights.
/// Fields are public for reading and editing; call [`Mlp::validate`] after
/// editing by hand (constructors and importers always validate).
///
/// ```
/// use hyperinterp_core::{Activation, Mlp};
/// // f(x) = relu(x0 - x1) + 0.5
/// let net = Mlp::new(2, 1, vec![1.0, -1.0], vec![0.0], vec![1.0], 0.5, Activation::Relu)?;
/// assert_eq!(net.forward(&[3.0, 1.0])?, 2.5);
/// assert!(net.forward(&[1.0]).is_err()); // wrong input length is an error
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mlp {
    /// Input size.
    pub n: usize,
    /// Hidden width.
    pub m: usize,
    /// Input-to-hidden weights, row-major `[m, n]`.
    pub w: Vec<f32>,
    /// Hidden biases `[m]`.
    pub b: Vec<f32>,
    /// Output weights `[m]`.
    pub a: Vec<f32>,
    /// Output bias.
    pub c: f32,
    /// Hidden nonlinearity.
    #[serde(default)]
    pub activation: Activation,
}

impl Mlp {
    /// Builds and validates a network.
    pub fn new(
        n: usize,
        m: usize,
        w: Vec<f32>,
        b: Vec<f32>,
        a: Vec<f32>,
        c: f32,
        activation: Activation,
    ) -> Result<Self> {
        let mlp = Mlp {
            n,
            m,
            w,
            b,
            a,
            c,
            activation,
        };
        mlp.validate()?;
        Ok(mlp)
    }

    /// A network with every parameter 0 (it computes the constant 0).
    ///
    /// ```
    /// let net = hyperinterp_core::Mlp::zeros(3, 5, Default::default())?;
    /// assert_eq!(net.w.len(), 15);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn zeros(n: usize, m: usize, activation: Activation) -> Result<Self> {
        Sizes::new(n, m)?;
        Ok(Mlp {
            n,
            m,
            w: vec![0.0; n * m],
            b: vec![0.0; m],
            a: vec![0.0; m],
            c: 0.0,
            activation,
        })
    }

    /// A random network that knows nothing of any task: input weights and
    /// hidden biases drawn from `N(0, scale² / n)`, output weights from
    /// `N(0, 1 / m)`, output bias 0, reproducible from `seed`. `scale` sets
    /// how sharp its hidden units are (about 1: a unit's pre-activation has
    /// the inputs' spread).
    ///
    /// ```
    /// use hyperinterp_core::{Mlp, Sizes};
    /// let net = Mlp::random(Sizes::new(3, 5)?, Default::default(), 2.0, 7)?;
    /// assert_eq!(net, Mlp::random(Sizes::new(3, 5)?, Default::default(), 2.0, 7)?);
    /// assert_ne!(net, Mlp::random(Sizes::new(3, 5)?, Default::default(), 2.0, 8)?);
    /// assert!(Mlp::random(Sizes::new(3, 5)?, Default::default(), -1.0, 7).is_err());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn random(sizes: Sizes, activation: Activation, scale: f64, seed: u64) -> Result<Self> {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Normal};
        sizes.validate()?;
        crate::require_positive(&[("scale", scale)])?;
        let Sizes { n, m } = sizes;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut draw = |std: f64, count: usize| -> Result<Vec<f32>> {
            let normal = Normal::new(0.0, std)
                .map_err(|error| CoreError::config("scale", error.to_string()))?;
            Ok((0..count).map(|_| normal.sample(&mut rng) as f32).collect())
        };
        let input_std = scale / (n as f64).sqrt();
        let w = draw(input_std, n * m)?;
        let b = draw(input_std, m)?;
        let a = draw(1.0 / (m as f64).sqrt(), m)?;
        Mlp::new(n, m, w, b, a, 0.0, activation)
    }

    /// The sizes `(n, m)`.
    pub fn sizes(&self) -> Sizes {
        Sizes {
            n: self.n,
            m: self.m,
        }
    }

    /// Checks sizes (n, m >= 1), shapes and that every value is finite.
    ///
    /// ```
    /// use hyperinterp_core::{CoreError, Mlp};
    /// let mut net = Mlp::zeros(2, 2, Default::default())?;
    /// net.b[1] = f32::NAN;
    /// assert!(matches!(net.validate(), Err(CoreError::NonFinite { .. })));
    /// net.b.pop();
    /// assert!(matches!(net.validate(), Err(CoreError::ShapeMismatch { .. })));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.sizes().validate()?;
        let shape_checks: [(&str, usize, Vec<usize>); 3] = [
            ("w", self.w.len(), vec![self.m, self.n]),
            ("b", self.b.len(), vec![self.m]),
            ("a", self.a.len(), vec![self.m]),
        ];
        for (field, len, expected) in shape_checks {
            if len != expected.iter().product::<usize>() {
                return Err(CoreError::ShapeMismatch {
                    field: field.to_string(),
                    expected,
                    found: vec![len],
                });
            }
        }
        let value_checks: [(&str, &[f32]); 4] = [
            ("w", &self.w),
            ("b", &self.b),
            ("a", &self.a),
            ("c", std::slice::from_ref(&self.c)),
        ];
        for (field, values) in value_checks {
            if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(CoreError::NonFinite {
                    field: field.to_string(),
                    index,
                    value,
                });
            }
        }
        Ok(())
    }

    /// Row `j` of `W`: hidden neuron `j`'s input weights.
    pub fn row(&self, j: usize) -> &[f32] {
        &self.w[j * self.n..(j + 1) * self.n]
    }

    /// Pre-activation of hidden neuron `j` at `x` (no length check; internal fast path).
    fn pre_activation(&self, j: usize, x: &[f32]) -> f32 {
        self.row(j).iter().zip(x).map(|(w, x)| w * x).sum::<f32>() + self.b[j]
    }

    /// The network's output at one input `x` of length `n`.
    pub fn forward(&self, x: &[f32]) -> Result<f32> {
        if x.len() != self.n {
            return Err(CoreError::InputLength {
                expected: self.n,
                found: x.len(),
            });
        }
        Ok((0..self.m)
            .map(|j| self.a[j] * self.activation.apply(self.pre_activation(j, x)))
            .sum::<f32>()
            + self.c)
    }

    /// Outputs for many inputs stored row-major `[count, n]`.
    ///
    /// ```
    /// use hyperinterp_core::{Activation, Mlp};
    /// let net = Mlp::new(1, 1, vec![1.0], vec![0.0], vec![1.0], 0.0, Activation::Relu)?;
    /// assert_eq!(net.forward_many(&[-1.0, 2.0])?, vec![0.0, 2.0]);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn forward_many(&self, xs: &[f32]) -> Result<Vec<f32>> {
        if !xs.len().is_multiple_of(self.n) {
            return Err(CoreError::InputLength {
                expected: self.n,
                found: xs.len() % self.n,
            });
        }
        xs.chunks_exact(self.n).map(|x| self.forward(x)).collect()
    }

    /// A copy with `extra` unused hidden neurons appended (zero weights, `a = 0`):
    /// the same function, a wider network.
    ///
    /// ```
    /// let net = hyperinterp_core::Mlp::zeros(2, 3, Default::default())?.widened(2);
    /// assert_eq!(net.m, 5);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn widened(&self, extra: usize) -> Mlp {
        let mut out = self.clone();
        out.m += extra;
        out.w.extend(std::iter::repeat_n(0.0, extra * self.n));
        out.b.extend(std::iter::repeat_n(0.0, extra));
        out.a.extend(std::iter::repeat_n(0.0, extra));
        out
    }

    /// Number of parameters, `m n + 2 m + 1`.
    pub fn num_params(&self) -> usize {
        self.m * self.n + 2 * self.m + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swish_identities_hold() {
        for &u in &[-5.0f32, -0.3, 0.0, 0.9, 4.0] {
            let s = Activation::Swish;
            assert!((s.apply(u) - s.apply(-u) - u).abs() < 1e-5);
            let numeric = (s.apply(u + 1e-3) - s.apply(u - 1e-3)) / 2e-3;
            assert!((numeric - s.derivative(u)).abs() < 1e-2, "u = {u}");
        }
    }

    #[test]
    fn validate_names_each_problem() {
        assert!(matches!(
            Mlp::zeros(0, 3, Activation::Swish),
            Err(CoreError::ZeroInputs)
        ));
        assert!(matches!(
            Mlp::zeros(3, 0, Activation::Swish),
            Err(CoreError::ZeroHidden)
        ));
        let bad_shape = Mlp::new(
            2,
            2,
            vec![0.0; 3],
            vec![0.0; 2],
            vec![0.0; 2],
            0.0,
            Activation::Swish,
        );
        match bad_shape {
            Err(CoreError::ShapeMismatch {
                field, expected, ..
            }) => {
                assert_eq!(field, "w");
                assert_eq!(expected, vec![2, 2]);
            }
            other => panic!("expected a shape error, got {other:?}"),
        }
        let nan_c = Mlp::new(
            1,
            1,
            vec![1.0],
            vec![0.0],
            vec![1.0],
            f32::NAN,
            Activation::Swish,
        );
        assert!(matches!(nan_c, Err(CoreError::NonFinite { ref field, .. }) if field == "c"));
    }

    #[test]
    fn widened_network_computes_the_same_function() {
        let net = Mlp::new(
            2,
            2,
            vec![0.5, -1.0, 2.0, 0.3],
            vec![0.1, -0.2],
            vec![1.5, -0.7],
            0.25,
            Activation::Swish,
        )
        .unwrap();
        let wide = net.widened(3);
        wide.validate().unwrap();
        let x = [0.4, -1.3];
        assert_eq!(net.forward(&x).unwrap(), wide.forward(&x).unwrap());
    }
}
