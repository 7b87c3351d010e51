//! Configuration of the HVAE hypernetwork.

use hyperinterp_core::{Activation, CoreError, Result, Sizes, require_positive};
use hyperinterp_graph_transformer::GraphTransformerConfig;
use serde::{Deserialize, Serialize};

/// The prior `N(0, sigma0^2)` of each kind of generated parameter, as
/// multiples of a scale that follows the network's sizes:
/// `sigma0(W) = weight / sqrt(n)`, `sigma0(b) = bias`,
/// `sigma0(a) = output_weight / sqrt(m)`, `sigma0(c) = output_bias * n`.
///
/// The decoder works in these units, so a generated network's scale follows
/// `(n, m)` without the model having to learn it.
///
/// ```
/// use hyperinterp_core::Sizes;
/// use hyperinterp_hvae::PriorScales;
/// let sigma = PriorScales::default().sigmas(Sizes { n: 16, m: 48 });
/// assert_eq!(sigma.weight, 0.25);
/// assert_eq!(sigma.output_bias, 16.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PriorScales {
    /// `sigma0(W_ji) = weight / sqrt(n)`.
    pub weight: f64,
    /// `sigma0(b_j) = bias`.
    pub bias: f64,
    /// `sigma0(a_j) = output_weight / sqrt(m)`.
    pub output_weight: f64,
    /// `sigma0(c) = output_bias * n`.
    pub output_bias: f64,
    /// Whether `sigma0(W)` and `sigma0(a)` follow the sizes (the default)
    /// or stay `weight` and `output_weight` at every size.
    pub weight_scaling: WeightScaling,
}

/// How the weights' prior stds follow the network's sizes.
///
/// ```
/// use hyperinterp_core::Sizes;
/// use hyperinterp_hvae::{PriorScales, WeightScaling};
/// let priors = PriorScales { weight: 12.0, weight_scaling: WeightScaling::Constant, ..Default::default() };
/// for sizes in [Sizes { n: 4, m: 12 }, Sizes { n: 12, m: 36 }] {
///     assert_eq!((priors.sigmas(sizes).weight, priors.sigmas(sizes).output_weight), (12.0, 1.0));
/// }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightScaling {
    /// `sigma0(W) = weight / sqrt(n)`, `sigma0(a) = output_weight /
    /// sqrt(m)`: a random network's output has the same scale at every size.
    #[default]
    InverseSqrtFanIn,
    /// `sigma0(W) = weight`, `sigma0(a) = output_weight` at every size. The
    /// L1 algorithms' weights do not change with the sizes (double-sided's
    /// are all ±1), so in these units the decoder writes the same numbers
    /// at every size instead of ones it must extrapolate as `sqrt(n)` and
    /// `sqrt(m)` beyond the trained sizes.
    Constant,
}

impl Default for PriorScales {
    fn default() -> Self {
        PriorScales {
            weight: 1.0,
            bias: 1.0,
            output_weight: 1.0,
            output_bias: 1.0,
            weight_scaling: WeightScaling::default(),
        }
    }
}

/// The prior standard deviations at one size (see [`PriorScales`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PriorSigmas {
    /// Of `W_ji`.
    pub weight: f64,
    /// Of `b_j`.
    pub bias: f64,
    /// Of `a_j`.
    pub output_weight: f64,
    /// Of `c`.
    pub output_bias: f64,
}

impl PriorScales {
    /// The prior standard deviations at `sizes`.
    pub fn sigmas(&self, sizes: Sizes) -> PriorSigmas {
        let (fan_in, hidden) = match self.weight_scaling {
            WeightScaling::InverseSqrtFanIn => ((sizes.n as f64).sqrt(), (sizes.m as f64).sqrt()),
            WeightScaling::Constant => (1.0, 1.0),
        };
        PriorSigmas {
            weight: self.weight / fan_in,
            bias: self.bias,
            output_weight: self.output_weight / hidden,
            output_bias: self.output_bias * sizes.n as f64,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        require_positive(&[
            ("priors.weight", self.weight),
            ("priors.bias", self.bias),
            ("priors.output_weight", self.output_weight),
            ("priors.output_bias", self.output_bias),
        ])?;
        Ok(())
    }
}

/// The prior the weight KL is measured against, per kind of generated
/// parameter, as a multiple of [`PriorScales`]' std: `N(0, (width *
/// sigma0)^2)`. The decoder still writes in units of `sigma0`, so changing a
/// width reprices the networks without moving them; that is what lets a
/// training schedule widen the prior mid-run (`hyperinterp_pareto`'s
/// `prior_widening`). All 1 (the default): the KL is against `sigma0` itself.
///
/// ```
/// let widths: hyperinterp_hvae::PriorWidths = serde_json::from_str(r#"{"weight": 10.0}"#).unwrap();
/// assert_eq!((widths.weight, widths.bias), (10.0, 1.0));
/// assert!((widths.towards(0.5).weight - 10f64.sqrt()).abs() < 1e-12); // geometric, from all 1
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PriorWidths {
    /// Of `W_ji`.
    pub weight: f64,
    /// Of `b_j`.
    pub bias: f64,
    /// Of `a_j`.
    pub output_weight: f64,
    /// Of `c`.
    pub output_bias: f64,
}

impl Default for PriorWidths {
    fn default() -> Self {
        PriorWidths {
            weight: 1.0,
            bias: 1.0,
            output_weight: 1.0,
            output_bias: 1.0,
        }
    }
}

impl PriorWidths {
    /// The widths a fraction `t` of the way (geometrically) from all 1 to
    /// these: `width^t`, with `t` clamped to `[0, 1]`.
    pub fn towards(&self, t: f64) -> PriorWidths {
        let t = t.clamp(0.0, 1.0);
        PriorWidths {
            weight: self.weight.powf(t),
            bias: self.bias.powf(t),
            output_weight: self.output_weight.powf(t),
            output_bias: self.output_bias.powf(t),
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        require_positive(&[
            ("kl_prior_widths.weight", self.weight),
            ("kl_prior_widths.bias", self.bias),
            ("kl_prior_widths.output_weight", self.output_weight),
            ("kl_prior_widths.output_bias", self.output_bias),
        ])?;
        Ok(())
    }
}

/// What the hypernetwork is told about each hidden node before any noise:
/// by default nothing (docs/design.md §6: the hidden nodes are interchangeable
/// and only the latent noise tells them apart), or a fixed role.
///
/// Roles depart from docs/design.md §6 and are kept as a lever, to test whether
/// that symmetry is what keeps the generator from double-sided. Measured
/// (docs/findings.md, "hidden roles"): it is not; given each input's pair, the
/// generator writes the pudding, far more precisely than without roles, and
/// leaves one node of each pair unused; unseen sizes suffer.
/// Hidden node `j` gets a side, `+` for even `j` and `-` for odd;
/// with [`HiddenRoles::InputsAndSides`] the first `2n` also get an input,
/// `j / 2`, so that nodes `2i` and `2i + 1` are input `i`'s pair and the
/// rest stay free. A role is a learned embedding added to the node (the side,
/// with its sign) or to the edge from its input; nothing forces the
/// generator to use it, and it holds at any `n` and `m`.
///
/// ```
/// use hyperinterp_hvae::HiddenRoles;
/// let roles: HiddenRoles = serde_json::from_str(r#""inputs_and_sides""#).unwrap();
/// assert_eq!(roles.sides(4), vec![1.0, -1.0, 1.0, -1.0]);
/// assert_eq!(roles.inputs(5, 2), vec![Some(0), Some(0), Some(1), Some(1), None]);
/// assert_eq!(HiddenRoles::None.sides(3), vec![0.0; 3]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HiddenRoles {
    /// No roles: the hidden nodes differ only by their noise.
    #[default]
    None,
    /// A side (`+`, `-`, alternating) for every hidden node.
    Sides,
    /// A side for every hidden node, and an input for the first `2n`.
    InputsAndSides,
    /// Fixed random features for every hidden node ([`HiddenRoles::random_features`]),
    /// tied to no input or side: identities that break the hidden nodes'
    /// symmetry the same way at every step, without the double-sided
    /// layout (blind).
    RandomFeatures,
}

/// How many random features [`HiddenRoles::RandomFeatures`] gives each
/// hidden node.
pub const RANDOM_FEATURES: usize = 4;

impl HiddenRoles {
    /// The side of each of `m` hidden nodes: `+1`, `-1` alternating, or all
    /// 0 without roles.
    pub fn sides(self, m: usize) -> Vec<f32> {
        (0..m)
            .map(|j| match self {
                HiddenRoles::None | HiddenRoles::RandomFeatures => 0.0,
                _ if j % 2 == 0 => 1.0,
                _ => -1.0,
            })
            .collect()
    }

    /// What the roles hand the generator of the task's hand-written
    /// solutions, in plain words (see [`hyperinterp_core::Guidance`]): the
    /// sides are half of double-sided's unit layout, inputs and sides all of
    /// it. `None` without roles.
    ///
    /// ```
    /// use hyperinterp_hvae::HiddenRoles;
    /// assert!(HiddenRoles::None.guidance().is_none());
    /// assert!(HiddenRoles::RandomFeatures.guidance().is_none());
    /// assert!(HiddenRoles::InputsAndSides.guidance().unwrap().contains("input and side"));
    /// ```
    pub fn guidance(self) -> Option<&'static str> {
        match self {
            HiddenRoles::None | HiddenRoles::RandomFeatures => None,
            HiddenRoles::Sides => {
                Some("hidden units told their side, + or - (half of the double-sided layout)")
            }
            HiddenRoles::InputsAndSides => {
                Some("hidden units told their input and side (the double-sided layout)")
            }
        }
    }

    /// Whether the nodes are told a side (`Sides`, `InputsAndSides`).
    pub fn gives_sides(self) -> bool {
        matches!(self, HiddenRoles::Sides | HiddenRoles::InputsAndSides)
    }

    /// The random features of each of `m` hidden nodes in a network of `n`
    /// inputs, `[m, RANDOM_FEATURES]` row-major, standard normal: drawn from
    /// `(n, m)` alone, so the same at every step, seed and checkpoint, and
    /// afresh for every size; all 0 unless [`HiddenRoles::RandomFeatures`].
    ///
    /// ```
    /// use hyperinterp_hvae::{HiddenRoles, RANDOM_FEATURES};
    /// let features = HiddenRoles::RandomFeatures.random_features(4, 12);
    /// assert_eq!(features.len(), 12 * RANDOM_FEATURES);
    /// assert_eq!(features, HiddenRoles::RandomFeatures.random_features(4, 12));
    /// assert_ne!(features[..RANDOM_FEATURES], features[RANDOM_FEATURES..2 * RANDOM_FEATURES]);
    /// assert_ne!(features[..RANDOM_FEATURES], HiddenRoles::RandomFeatures.random_features(5, 12)[..RANDOM_FEATURES]);
    /// assert!(HiddenRoles::None.random_features(4, 12).iter().all(|&x| x == 0.0));
    /// ```
    pub fn random_features(self, n: usize, m: usize) -> Vec<f32> {
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        if self != HiddenRoles::RandomFeatures {
            return vec![0.0; m * RANDOM_FEATURES];
        }
        let seed = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (m as u64) ^ 0x0F0E_A7E5;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..m * RANDOM_FEATURES)
            .map(|_| {
                let x: f64 = StandardNormal.sample(&mut rng);
                x as f32
            })
            .collect()
    }

    /// The input of each of `m` hidden nodes in a network of `n` inputs:
    /// `j / 2` for the first `2n` with [`HiddenRoles::InputsAndSides`], none
    /// otherwise.
    pub fn inputs(self, m: usize, n: usize) -> Vec<Option<usize>> {
        (0..m)
            .map(|j| (self == HiddenRoles::InputsAndSides && j < 2 * n).then_some(j / 2))
            .collect()
    }
}

/// The whole hypernetwork's configuration.
///
/// ```
/// let config: hyperinterp_hvae::HypernetworkConfig =
///     serde_json::from_str(r#"{"latent_width": 2, "graph": {"layers": 2}}"#).unwrap();
/// assert_eq!(config.graph.width, 32); // unspecified fields keep their defaults
/// assert!(config.validate().is_ok());
/// assert!(serde_json::from_str::<hyperinterp_hvae::HypernetworkConfig>(r#"{"latnt_width": 2}"#).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HypernetworkConfig {
    /// The graph transformer's sizes.
    pub graph: GraphTransformerConfig,
    /// Width of the latent drawn at every node after each layer.
    pub latent_width: usize,
    /// Priors of the generated weights, and the decoder's units.
    pub priors: PriorScales,
    /// The weight KL's prior as multiples of `priors` (all 1 by default).
    pub kl_prior_widths: PriorWidths,
    /// Standard deviation of the generated weights at initialisation, as a
    /// fraction of their prior's: low, so that weight noise does not serve as
    /// free random features before the networks have structure (docs/design.md §7).
    pub initial_weight_std: f64,
    /// Activation of the generated networks.
    pub activation: Activation,
    /// Fixed roles of the hidden nodes (none by default).
    pub hidden_roles: HiddenRoles,
    /// Add the sizes' logarithms (ln n, ln m, through a learned matrix) to
    /// every node and edge embedding. With them an unseen n is an
    /// extrapolation of a learned feature; without them the transformer
    /// sees the sizes only through its softmax attention's mix of
    /// neighbours (a hidden node's n inputs against its one output).
    pub size_features: bool,
    /// Clamp the sizes the size features see to this range (for example
    /// the trained sizes), so that an unseen size reads as the nearest
    /// trained one instead of extrapolating a learned feature. The
    /// network itself keeps its true sizes. None (the default) clamps
    /// nothing. `hyperinterp_pareto`'s trainer refuses limits that leave a
    /// training size outside, which the features could not tell apart.
    pub size_feature_limits: Option<SizeFeatureLimits>,
}

/// The range the size features are clamped to, per size.
///
/// ```
/// use hyperinterp_core::Sizes;
/// use hyperinterp_hvae::SizeFeatureLimits;
/// let limits = SizeFeatureLimits {
///     smallest: Sizes { n: 4, m: 12 },
///     largest: Sizes { n: 8, m: 24 },
/// };
/// assert_eq!(limits.clamp(Sizes { n: 3, m: 36 }), Sizes { n: 4, m: 24 });
/// assert!(limits.validate().is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeFeatureLimits {
    /// The smallest sizes the features report.
    pub smallest: Sizes,
    /// The largest sizes the features report.
    pub largest: Sizes,
}

impl SizeFeatureLimits {
    /// Each size clamped into its range.
    pub fn clamp(&self, sizes: Sizes) -> Sizes {
        Sizes {
            n: sizes.n.clamp(self.smallest.n, self.largest.n),
            m: sizes.m.clamp(self.smallest.m, self.largest.m),
        }
    }

    /// Errors if a size is zero or a smallest exceeds its largest.
    pub fn validate(&self) -> Result<()> {
        self.smallest.validate()?;
        self.largest.validate()?;
        if self.smallest.n > self.largest.n || self.smallest.m > self.largest.m {
            return Err(CoreError::config(
                "size_feature_limits",
                "smallest must not exceed largest",
            ));
        }
        Ok(())
    }
}

impl Default for HypernetworkConfig {
    fn default() -> Self {
        HypernetworkConfig {
            graph: GraphTransformerConfig::default(),
            latent_width: 4,
            priors: PriorScales::default(),
            kl_prior_widths: PriorWidths::default(),
            initial_weight_std: 0.1,
            activation: Activation::Swish,
            hidden_roles: HiddenRoles::None,
            size_features: true,
            size_feature_limits: None,
        }
    }
}

impl HypernetworkConfig {
    /// Errors naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        self.graph.validate()?;
        if self.latent_width == 0 {
            return Err(CoreError::config("latent_width", "must be at least 1"));
        }
        self.priors.validate()?;
        self.kl_prior_widths.validate()?;
        if let Some(limits) = &self.size_feature_limits {
            limits.validate()?;
        }
        if !(self.initial_weight_std.is_finite()
            && self.initial_weight_std > 0.0
            && self.initial_weight_std <= 1.0)
        {
            return Err(CoreError::config(
                "initial_weight_std",
                "must be in (0, 1] (a fraction of the prior's std)",
            ));
        }
        Ok(())
    }
}
