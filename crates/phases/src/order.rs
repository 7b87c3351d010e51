//! Order parameters: per-neuron roles and the network-level locality L,
//! double-sidedness D and pudding slope P (definitions in the crate docs).

use hyperinterp_core::{Activation, CoreError, Mlp, Result, Sign};
use serde::{Deserialize, Serialize};

use crate::config::ClassifierConfig;
use crate::quadrature::{self, NODES};

/// What a neuron does, as far as the labels are concerned.
///
/// ```
/// use hyperinterp_core::Sign;
/// use hyperinterp_phases::NeuronKind;
/// let kind = NeuronKind::Local { target: 3, side: Sign::Negative };
/// assert_eq!(serde_json::to_string(&kind)?, r#"{"kind":"local","target":3,"side":"negative"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NeuronKind {
    /// Not significant: its output varies too little to count (this
    /// includes dead neurons, `a = 0` and neurons without input weights).
    Unused,
    /// Significant and reads essentially one input (`density <= 0.25`).
    Local {
        /// The input it reads, `argmax_i |W_ji|` (lowest index on ties).
        target: usize,
        /// The sign of its weight on that input: the side of the input it
        /// responds to.
        side: Sign,
    },
    /// Significant and reads several inputs.
    Dense,
}

/// The role of one hidden neuron and the numbers behind it.
///
/// ```
/// use hyperinterp_core::Sign;
/// use hyperinterp_phases::{order_parameters, NeuronKind};
/// let net = hyperinterp_l1::pudding(4, 6, Sign::Positive, 20.0, 1.0)?;
/// let order = order_parameters(&net)?;
/// let first = &order.neurons[0];
/// assert_eq!(first.kind, NeuronKind::Local { target: 0, side: Sign::Positive });
/// assert!(first.is_one_sided());
/// assert!(order.neurons[4].always_on); // the pudding neuron
/// assert_eq!(order.neurons[5].kind, NeuronKind::Unused);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuronRole {
    /// Importance `iota_j = |a_j| std(act(u_j))`: how much the neuron's
    /// contribution to the output varies over the inputs.
    pub importance: f64,
    /// The std of the part of the neuron's ridge unit that no linear
    /// function of `x` explains (shared by all neurons of one unit).
    pub unit_nonlinear_importance: f64,
    /// Density `delta_j = (PR_j - 1)/(n - 1)` in [0, 1]: 0 reads one input,
    /// 1 reads all equally (0 when `n = 1` or the row is zero).
    pub density: f64,
    /// Bias z-score `t_j = b_j / ||W_j||` (0 for a neuron without input weights).
    pub bias_z_score: f64,
    /// `E[act'(u_j)]`; the neuron's Stein slope is `a_j * this * W_j`.
    pub activation_slope: f64,
    /// Local, dense or unused.
    pub kind: NeuronKind,
    /// `t_j >= 3`: the neuron is in its linear regime for 99.9% of inputs.
    pub always_on: bool,
    /// `t_j <= -3`: the neuron is off for 99.9% of inputs.
    pub dead: bool,
    /// Index of the ridge unit the neuron belongs to (units are numbered
    /// in the order of their lowest neuron index).
    pub unit: usize,
}

impl NeuronRole {
    /// Significant: local or dense.
    ///
    /// ```
    /// let net = hyperinterp_l1::double_sided(2, 5, 20.0)?;
    /// let order = hyperinterp_phases::order_parameters(&net)?;
    /// assert!(order.neurons[0].is_significant());
    /// assert!(!order.neurons[4].is_significant()); // unused: a = 0
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn is_significant(&self) -> bool {
        !matches!(self.kind, NeuronKind::Unused)
    }

    /// Local and not always-on: a neuron with a kink inside the data that
    /// reads one input — one side of an `|x_i|`.
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// let net = hyperinterp_l1::pudding(3, 4, Sign::Positive, 20.0, 1.0)?;
    /// let order = hyperinterp_phases::order_parameters(&net)?;
    /// assert!(order.neurons[0].is_one_sided());
    /// assert!(!order.neurons[3].is_one_sided()); // the always-on pudding neuron
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn is_one_sided(&self) -> bool {
        matches!(self.kind, NeuronKind::Local { .. }) && !self.always_on
    }

    /// Significant and dense or always-on: a neuron that can carry the
    /// linear counterweight of a pudding.
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// let net = hyperinterp_l1::pudding(3, 4, Sign::Positive, 20.0, 1.0)?;
    /// let order = hyperinterp_phases::order_parameters(&net)?;
    /// assert!(order.neurons[3].is_counterweight());
    /// assert!(!order.neurons[0].is_counterweight());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn is_counterweight(&self) -> bool {
        match self.kind {
            NeuronKind::Dense => true,
            NeuronKind::Local { .. } => self.always_on,
            NeuronKind::Unused => false,
        }
    }

    /// Target input and side of a local neuron.
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// let net = hyperinterp_l1::double_sided(2, 4, 20.0)?;
    /// let order = hyperinterp_phases::order_parameters(&net)?;
    /// assert_eq!(order.neurons[3].local(), Some((1, Sign::Negative)));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn local(&self) -> Option<(usize, Sign)> {
        match self.kind {
            NeuronKind::Local { target, side } => Some((target, side)),
            _ => None,
        }
    }
}

/// Neurons whose input weights are parallel or antiparallel
/// (`|cos| >= parallel_min_cosine`) compute one function of one projection
/// `v` of the input; the unit is analysed as that ridge function.
///
/// ```
/// use hyperinterp_core::Sign;
/// use hyperinterp_phases::order_parameters;
/// // The spread-out pudding's dense pair s(v) - s(-v) = v is one linear unit.
/// let net = hyperinterp_l1::spread_out_pudding(4, 6, Sign::Positive, 20.0, 1.0)?;
/// let order = order_parameters(&net)?;
/// let pair = &order.units[order.neurons[4].unit];
/// assert_eq!((pair.first, pair.size), (4, 2));
/// assert!(pair.nonlinear_importance < 1e-6 * pair.linear_importance);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RidgeUnit {
    /// Lowest neuron index in the unit.
    pub first: usize,
    /// Number of neurons in the unit.
    pub size: usize,
    /// `nu_U`: std of the unit's output minus its best linear fit in `x`.
    pub nonlinear_importance: f64,
    /// Norm of the unit's Stein slope: std of its linear part.
    pub linear_importance: f64,
    /// Mean curvature `E[G''(v)]` along its direction (`> 0`: convex on
    /// average; 0 for a linear unit).
    pub curvature: f64,
    /// Importance-weighted mean density of its neurons.
    pub density: f64,
    /// Whether any of its neurons is significant.
    pub significant: bool,
}

/// Per input `i`: the one-sided neurons that read it and the linear
/// counterweight it receives.
///
/// ```
/// use hyperinterp_phases::order_parameters;
/// let net = hyperinterp_l1::double_sided(2, 4, 20.0)?;
/// let input = &order_parameters(&net)?.inputs[0];
/// assert!((input.positive_importance - input.negative_importance).abs() < 1e-9);
/// assert_eq!(input.counterweight_slope, 0.0);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSides {
    /// `P_i+`: importance of one-sided neurons reading input i on side +.
    pub positive_importance: f64,
    /// `P_i-`: the same on side −.
    pub negative_importance: f64,
    /// Component i of the summed Stein slopes of those neurons.
    pub one_sided_slope: f64,
    /// Component i of the summed Stein slopes of counterweight neurons.
    pub counterweight_slope: f64,
}

impl InputSides {
    /// `side_i`: the sign of [`InputSides::one_sided_slope`] (`None` if 0).
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// let net = hyperinterp_l1::pudding(2, 3, Sign::Negative, 20.0, 1.0)?;
    /// let order = hyperinterp_phases::order_parameters(&net)?;
    /// // Its one-sided neurons 0.1 s(-20 x_i) have Stein slope -1 on their input.
    /// assert_eq!(order.inputs[0].side(), Some(Sign::Negative));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn side(&self) -> Option<Sign> {
        sign_of(self.one_sided_slope)
    }

    /// The balance of the two sides, `min(P_i+, P_i−) / max(P_i+, P_i−)`
    /// (0 when neither side is read): 1 when both carry equal importance.
    /// Double-sidedness D is its mean over the inputs, so a network can read
    /// every input on both sides and still fall short of D's threshold when
    /// some sides are weak.
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// let order = hyperinterp_phases::order_parameters(&hyperinterp_l1::double_sided(2, 4, 20.0)?)?;
    /// assert!((order.inputs[0].balance() - 1.0).abs() < 1e-9);
    /// let order = hyperinterp_phases::order_parameters(&hyperinterp_l1::pudding(2, 3, Sign::Negative, 20.0, 1.0)?)?;
    /// assert_eq!(order.inputs[0].balance(), 0.0);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn balance(&self) -> f64 {
        let high = self.positive_importance.max(self.negative_importance);
        if high > 0.0 {
            self.positive_importance.min(self.negative_importance) / high
        } else {
            0.0
        }
    }

    /// Read on both sides: one-sided neurons target this input on side +
    /// and on side −, however unequal their importances.
    ///
    /// ```
    /// let order = hyperinterp_phases::order_parameters(&hyperinterp_l1::double_sided(2, 4, 20.0)?)?;
    /// assert!(order.inputs.iter().all(|input| input.is_read_on_both_sides()));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn is_read_on_both_sides(&self) -> bool {
        self.positive_importance > 0.0 && self.negative_importance > 0.0
    }
}

/// The order parameters of one network and the per-neuron roles behind
/// them. Compute with [`order_parameters`] or a [`crate::Classifier`].
///
/// ```
/// use hyperinterp_phases::order_parameters;
/// let order = order_parameters(&hyperinterp_l1::double_sided(8, 24, 20.0)?)?;
/// assert!(order.locality > 0.99 && order.double_sidedness > 0.99);
/// assert_eq!(order.pudding_slope, 0.0);
/// assert_eq!((order.count_local(), order.count_unused()), (16, 8));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderParameters {
    /// Input size.
    pub n: usize,
    /// Hidden width.
    pub m: usize,
    /// Locality L in [0, 1].
    pub locality: f64,
    /// Double-sidedness D in [0, 1].
    pub double_sidedness: f64,
    /// Pudding slope P in [0, 1].
    pub pudding_slope: f64,
    /// Convex share K in [0, 1]: the positive part of the significant ridge
    /// units' mean curvatures over their absolute sum.
    pub convex_share: f64,
    /// Convex evidence `Σ_U h_U / sqrt(Σ_U h_U²)` over the significant ridge
    /// units: how far the summed curvature lies from what random read-out
    /// signs give. With random signs it is ≈ N(0, 1) whatever the number
    /// and sizes of the units; k equal convex bumps score √k.
    pub convex_evidence: f64,
    /// The importance-weighted majority side of the one-sided neurons:
    /// `None` if there are none, `Positive` if the sides balance exactly.
    pub majority_side: Option<Sign>,
    /// Sum of all neurons' importances.
    pub total_importance: f64,
    /// `significance_fraction * max(total importance, std ||x||_1)`: the
    /// weakest neurons that together carry less than this are not
    /// significant, and nonlinear work below it counts as none.
    pub importance_floor: f64,
    /// The smallest importance of a significant neuron (0 if none is).
    pub significance_threshold: f64,
    /// Sum of `nu_U` over significant ridge units: the nonlinear work.
    pub nonlinear_importance: f64,
    /// One role per hidden neuron.
    pub neurons: Vec<NeuronRole>,
    /// The ridge units (parallel neurons grouped).
    pub units: Vec<RidgeUnit>,
    /// One entry per input.
    pub inputs: Vec<InputSides>,
}

impl OrderParameters {
    /// The name [`Self::named_values`] gives [`Self::locality`], the key of
    /// the `order_parameters` maps in checkpoint evaluations.
    pub const LOCALITY: &'static str = "locality";
    /// The name of [`Self::double_sidedness`].
    pub const DOUBLE_SIDEDNESS: &'static str = "double_sidedness";
    /// The name of [`Self::pudding_slope`].
    pub const PUDDING_SLOPE: &'static str = "pudding_slope";
    /// The name of [`Self::convex_share`].
    pub const CONVEX_SHARE: &'static str = "convex_share";
    /// The name of [`Self::convex_evidence`].
    pub const CONVEX_EVIDENCE: &'static str = "convex_evidence";

    /// The scalar order parameters by name, as checkpoint evaluations record
    /// them (`hyperinterp_core::Labelled`); readers look them up with the
    /// constants above rather than spelling the names again.
    ///
    /// ```
    /// use hyperinterp_phases::{OrderParameters, order_parameters};
    /// let order = order_parameters(&hyperinterp_l1::double_sided(4, 12, 20.0)?)?;
    /// let named: std::collections::BTreeMap<_, _> = order.named_values().into_iter().collect();
    /// assert_eq!(named[OrderParameters::DOUBLE_SIDEDNESS], order.double_sidedness);
    /// assert_eq!(named.len(), 5);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn named_values(&self) -> [(&'static str, f64); 5] {
        [
            (Self::LOCALITY, self.locality),
            (Self::DOUBLE_SIDEDNESS, self.double_sidedness),
            (Self::PUDDING_SLOPE, self.pudding_slope),
            (Self::CONVEX_SHARE, self.convex_share),
            (Self::CONVEX_EVIDENCE, self.convex_evidence),
        ]
    }

    /// Number of inputs read on both sides ([`InputSides::is_read_on_both_sides`]):
    /// `n` for double-sided's structure, whether or not its sides are
    /// balanced enough for D; the count `describe` gives as "k inputs read
    /// on both sides".
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// let order = hyperinterp_phases::order_parameters(&hyperinterp_l1::double_sided(3, 6, 20.0)?)?;
    /// assert_eq!(order.count_inputs_read_on_both_sides(), 3);
    /// let order = hyperinterp_phases::order_parameters(&hyperinterp_l1::pudding(3, 4, Sign::Positive, 20.0, 1.0)?)?;
    /// assert_eq!(order.count_inputs_read_on_both_sides(), 0);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn count_inputs_read_on_both_sides(&self) -> usize {
        self.inputs
            .iter()
            .filter(|input| input.is_read_on_both_sides())
            .count()
    }

    /// Number of local neurons (always-on ones included).
    ///
    /// ```
    /// let order = hyperinterp_phases::order_parameters(&hyperinterp_l1::double_sided(3, 6, 20.0)?)?;
    /// assert_eq!(order.count_local(), 6);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn count_local(&self) -> usize {
        self.neurons
            .iter()
            .filter(|r| matches!(r.kind, NeuronKind::Local { .. }))
            .count()
    }

    /// Convex evidence share `Z / √k`, k the significant ridge units: the
    /// share of what k equal convex bumps score, in [-1, 1] (0 without
    /// significant units). Z alone grows with k and cannot reach 4 below 16
    /// units (at m = 12, Z <= √12 ≈ 3.46); the share can, so small networks
    /// can be judged too.
    ///
    /// ```
    /// let net = hyperinterp_l1::convexity(4, 12, &Default::default())?;
    /// let order = hyperinterp_phases::order_parameters(&net)?;
    /// assert!(order.convex_evidence < 4.0 && order.convex_evidence_share() > 0.5);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn convex_evidence_share(&self) -> f64 {
        let significant = self.units.iter().filter(|u| u.significant).count();
        if significant == 0 {
            return 0.0;
        }
        self.convex_evidence / (significant as f64).sqrt()
    }

    /// Number of dense neurons.
    ///
    /// ```
    /// let net = hyperinterp_l1::convexity(3, 5, &Default::default())?;
    /// assert_eq!(hyperinterp_phases::order_parameters(&net)?.count_dense(), 5);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn count_dense(&self) -> usize {
        self.neurons
            .iter()
            .filter(|r| r.kind == NeuronKind::Dense)
            .count()
    }

    /// Number of significant always-on neurons.
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// let net = hyperinterp_l1::pudding(3, 4, Sign::Positive, 20.0, 1.0)?;
    /// assert_eq!(hyperinterp_phases::order_parameters(&net)?.count_always_on(), 1);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn count_always_on(&self) -> usize {
        self.neurons
            .iter()
            .filter(|r| r.always_on && r.is_significant())
            .count()
    }

    /// Number of neurons that are not significant.
    ///
    /// ```
    /// let net = hyperinterp_l1::double_sided(3, 6, 20.0)?.widened(4);
    /// assert_eq!(hyperinterp_phases::order_parameters(&net)?.count_unused(), 4);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn count_unused(&self) -> usize {
        self.neurons.iter().filter(|r| !r.is_significant()).count()
    }

    /// Whether some neuron is significant and the significant units do
    /// nonlinear work above the significance threshold (otherwise the
    /// network is a constant or linear: `Trivial` whatever its NMSE).
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// let pudding = hyperinterp_l1::spread_out_pudding(3, 5, Sign::Positive, 20.0, 1.0)?;
    /// assert!(hyperinterp_phases::order_parameters(&pudding)?.has_work());
    /// // Only its linear pair left: a linear function does no work for |x|.
    /// let mut linear = pudding.clone();
    /// linear.a[..3].fill(0.0);
    /// assert!(!hyperinterp_phases::order_parameters(&linear)?.has_work());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn has_work(&self) -> bool {
        self.neurons.iter().any(NeuronRole::is_significant)
            && self.nonlinear_importance >= self.importance_floor
    }

    /// Stein slope `g_j = a_j E[act'(u_j)] W_j` of neuron `j` of `mlp` (the
    /// network these order parameters were computed from): for Gaussian
    /// inputs, `E[a_j act(u_j) x] = g_j`.
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// use hyperinterp_phases::order_parameters;
    /// let net = hyperinterp_l1::pudding(3, 4, Sign::Positive, 20.0, 1.0)?;
    /// let order = order_parameters(&net)?;
    /// let slope = order.stein_slope(&net, 3)?; // the always-on neuron adds -Σx
    /// assert!(slope.iter().all(|g| (g + 1.0).abs() < 1e-3));
    /// assert!(order.stein_slope(&net, 9).is_err());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn stein_slope(&self, mlp: &Mlp, j: usize) -> Result<Vec<f64>> {
        if mlp.n != self.n || mlp.m != self.m {
            return Err(CoreError::config(
                "mlp",
                format!(
                    "has (n, m) = ({}, {}) but the order parameters are of ({}, {})",
                    mlp.n, mlp.m, self.n, self.m
                ),
            ));
        }
        if j >= self.m {
            return Err(CoreError::config(
                "j",
                format!("neuron {j} does not exist: m = {}", self.m),
            ));
        }
        let scale = f64::from(mlp.a[j]) * self.neurons[j].activation_slope;
        Ok(mlp.row(j).iter().map(|w| scale * f64::from(*w)).collect())
    }
}

/// `std ||x||_1 = sqrt(n (1 - 2/pi))` for `x ~ N(0, I_n)`.
pub(crate) fn target_std(n: usize) -> f64 {
    (n as f64 * (1.0 - 2.0 / std::f64::consts::PI)).sqrt()
}

fn apply(activation: Activation, u: f64) -> f64 {
    match activation {
        Activation::Swish => u / (1.0 + (-u).exp()),
        Activation::Relu => u.max(0.0),
    }
}

fn derivative(activation: Activation, u: f64) -> f64 {
    match activation {
        Activation::Swish => {
            let s = 1.0 / (1.0 + (-u).exp());
            s * (1.0 + u * (1.0 - s))
        }
        Activation::Relu => f64::from(u > 0.0),
    }
}

/// Buffers reused across networks in bulk calls.
#[derive(Default)]
pub(crate) struct Scratch {
    /// `act(b_j + r_j z_k)`, row-major `[m, NODES]`.
    values: Vec<f64>,
    norms: Vec<f64>,
    parent: Vec<usize>,
    unit_of_root: Vec<usize>,
    unit_values: Vec<f64>,
    sorted: Vec<f64>,
}

fn find(parent: &mut [usize], mut j: usize) -> usize {
    while parent[j] != j {
        parent[j] = parent[parent[j]];
        j = parent[j];
    }
    j
}

/// Computes the order parameters of `mlp` under `config` (assumed valid).
pub(crate) fn compute(
    mlp: &Mlp,
    config: &ClassifierConfig,
    scratch: &mut Scratch,
) -> Result<OrderParameters> {
    mlp.validate()?;
    let (n, m) = (mlp.n, mlp.m);
    let rule = quadrature::rule();
    let activation = mlp.activation;
    scratch.values.clear();
    scratch.values.resize(m * NODES, 0.0);
    scratch.norms.clear();

    let mut neurons = Vec::with_capacity(m);
    // Per neuron: norm, density, and the quadrature moments.
    for j in 0..m {
        let row = mlp.row(j);
        let (mut square, mut quartic) = (0.0f64, 0.0f64);
        let mut target = 0;
        let mut largest = -1.0f64;
        for (i, &w) in row.iter().enumerate() {
            let w = f64::from(w);
            let w2 = w * w;
            square += w2;
            quartic += w2 * w2;
            if w.abs() > largest {
                largest = w.abs();
                target = i;
            }
        }
        let r = square.sqrt();
        scratch.norms.push(r);
        let density = if n == 1 || square == 0.0 {
            0.0
        } else {
            ((square * square / quartic - 1.0) / (n as f64 - 1.0)).clamp(0.0, 1.0)
        };
        let (a, b) = (f64::from(mlp.a[j]), f64::from(mlp.b[j]));
        let values = &mut scratch.values[j * NODES..(j + 1) * NODES];
        let (importance, activation_slope, bias_z_score) = if r == 0.0 {
            // A constant: part of the output bias, no input dependence.
            values.fill(apply(activation, b));
            (0.0, derivative(activation, b), 0.0)
        } else {
            let (mut mean, mut second, mut z_moment) = (0.0, 0.0, 0.0);
            for ((value, &z), &weight) in values.iter_mut().zip(&rule.nodes).zip(&rule.weights) {
                let v = apply(activation, b + r * z);
                *value = v;
                mean += weight * v;
                second += weight * v * v;
                z_moment += weight * v * z;
            }
            let variance = (second - mean * mean).max(0.0);
            // Stein's lemma: E[act(b + r z) z] = r E[act'(u)]; this form
            // integrates a continuous function, unlike act' itself.
            (a.abs() * variance.sqrt(), z_moment / r, b / r)
        };
        let side = if row[target] < 0.0 {
            Sign::Negative
        } else {
            Sign::Positive
        };
        neurons.push((
            NeuronRole {
                importance,
                unit_nonlinear_importance: 0.0,
                density,
                bias_z_score,
                activation_slope,
                kind: NeuronKind::Unused,
                always_on: r > 0.0 && bias_z_score >= config.always_on_z_score,
                dead: r > 0.0 && bias_z_score <= -config.always_on_z_score,
                unit: 0,
            },
            target,
            side,
        ));
    }

    let total_importance: f64 = neurons.iter().map(|(role, _, _)| role.importance).sum();
    let importance_floor = config.significance_fraction * total_importance.max(target_std(n));
    // Cumulative rule: drop the weakest neurons while together they stay
    // under the floor; ties are dropped or kept together, so the result
    // does not depend on neuron order.
    scratch.sorted.clear();
    scratch
        .sorted
        .extend(neurons.iter().map(|(role, _, _)| role.importance));
    scratch.sorted.sort_by(f64::total_cmp);
    let mut significance_threshold = 0.0;
    let mut dropped = 0.0;
    let mut k = 0;
    while k < m {
        let value = scratch.sorted[k];
        let mut next = k;
        while next < m && scratch.sorted[next] == value {
            dropped += value;
            next += 1;
        }
        if dropped >= importance_floor && value > 0.0 {
            significance_threshold = value;
            break;
        }
        k = next;
    }
    let mut neurons: Vec<NeuronRole> = neurons
        .into_iter()
        .map(|(mut role, target, side)| {
            if significance_threshold > 0.0 && role.importance >= significance_threshold {
                role.kind = if role.density <= config.local_max_density {
                    NeuronKind::Local { target, side }
                } else {
                    NeuronKind::Dense
                };
            }
            role
        })
        .collect();

    // Ridge units: connected components of the "parallel" relation.
    scratch.parent.clear();
    scratch.parent.extend(0..m);
    let min_cos = config.parallel_min_cosine;
    for (j, role_j) in neurons.iter().enumerate() {
        if role_j.importance == 0.0 {
            continue;
        }
        let row_j = mlp.row(j);
        for (k, role_k) in neurons.iter().enumerate().skip(j + 1) {
            if role_k.importance == 0.0 {
                continue;
            }
            let dot: f64 = row_j
                .iter()
                .zip(mlp.row(k))
                .map(|(x, y)| f64::from(*x) * f64::from(*y))
                .sum();
            if dot.abs() >= min_cos * scratch.norms[j] * scratch.norms[k] {
                let (root_j, root_k) = (find(&mut scratch.parent, j), find(&mut scratch.parent, k));
                if root_j != root_k {
                    // The lower index is the root, so units are keyed by their first neuron.
                    let (low, high) = (root_j.min(root_k), root_j.max(root_k));
                    scratch.parent[high] = low;
                }
            }
        }
    }
    scratch.unit_of_root.clear();
    scratch.unit_of_root.resize(m, usize::MAX);
    let mut units: Vec<RidgeUnit> = Vec::new();
    for (j, role) in neurons.iter_mut().enumerate() {
        let root = find(&mut scratch.parent, j);
        if scratch.unit_of_root[root] == usize::MAX {
            scratch.unit_of_root[root] = units.len();
            units.push(RidgeUnit {
                first: j,
                size: 0,
                nonlinear_importance: 0.0,
                linear_importance: 0.0,
                curvature: 0.0,
                density: 0.0,
                significant: false,
            });
        }
        let unit = scratch.unit_of_root[root];
        role.unit = unit;
        units[unit].size += 1;
        units[unit].significant |= role.is_significant();
    }

    // Each unit as one ridge function G(v) = sum_j a_j act(sigma_j r_j v + b_j)
    // of v ~ N(0, 1), evaluated at the quadrature nodes.
    for (index, unit) in units.iter_mut().enumerate() {
        let first = unit.first;
        scratch.unit_values.clear();
        scratch.unit_values.resize(NODES, 0.0);
        let reference = mlp.row(first);
        for (j, role) in neurons.iter().enumerate().skip(first) {
            if role.unit != index {
                continue;
            }
            let a = f64::from(mlp.a[j]);
            let values = &scratch.values[j * NODES..(j + 1) * NODES];
            let dot: f64 = if j == first {
                1.0
            } else {
                reference
                    .iter()
                    .zip(mlp.row(j))
                    .map(|(x, y)| f64::from(*x) * f64::from(*y))
                    .sum()
            };
            if dot >= 0.0 {
                for (g, v) in scratch.unit_values.iter_mut().zip(values) {
                    *g += a * v;
                }
            } else {
                // Antiparallel: act(b - r z) sits at the mirrored node.
                for (g, v) in scratch.unit_values.iter_mut().zip(values.iter().rev()) {
                    *g += a * v;
                }
            }
        }
        let (mut mean, mut z_moment, mut curvature) = (0.0, 0.0, 0.0);
        for ((g, &z), &weight) in scratch
            .unit_values
            .iter()
            .zip(&rule.nodes)
            .zip(&rule.weights)
        {
            mean += weight * g;
            z_moment += weight * g * z;
            curvature += weight * g * (z * z - 1.0);
        }
        // Stein: E[G v] = E[G'], the slope of the best linear fit in v,
        // and E[G (v^2 - 1)] = E[G'']. The nonlinear part is the residual of
        // that fit, summed directly: as variance - slope^2 it cancels for
        // nearly linear units, and the rounding then depended on the order
        // of the unit's neurons.
        let residual: f64 = scratch
            .unit_values
            .iter()
            .zip(&rule.nodes)
            .zip(&rule.weights)
            .map(|((g, &z), &weight)| weight * (g - mean - z_moment * z).powi(2))
            .sum();
        let nonlinear = residual.sqrt();
        let linear = z_moment.abs();
        unit.curvature = curvature;
        unit.nonlinear_importance = nonlinear;
        unit.linear_importance = linear;
        let (mut weighted, mut weight) = (0.0, 0.0);
        for role in neurons[first..].iter().filter(|r| r.unit == index) {
            weighted += role.importance * role.density;
            weight += role.importance;
        }
        unit.density = if weight > 0.0 {
            weighted / weight
        } else {
            neurons[first].density
        };
    }
    for role in &mut neurons {
        role.unit_nonlinear_importance = units[role.unit].nonlinear_importance;
    }

    // Locality: nonlinear-importance-weighted mean of 1 - density.
    let (mut local_work, mut nonlinear_importance) = (0.0, 0.0);
    for unit in units.iter().filter(|u| u.significant) {
        local_work += unit.nonlinear_importance * (1.0 - unit.density);
        nonlinear_importance += unit.nonlinear_importance;
    }
    let locality = if nonlinear_importance > 0.0 {
        (local_work / nonlinear_importance).clamp(0.0, 1.0)
    } else {
        0.0
    };
    // Convex share: how much of the significant units' mean curvature is
    // convex (a sum of convex bumps scores 1, random output signs ~0.5).
    let (mut convex, mut curvature_total) = (0.0, 0.0);
    let (mut curvature_sum, mut curvature_squares) = (0.0, 0.0);
    for unit in units.iter().filter(|u| u.significant) {
        convex += unit.curvature.max(0.0);
        curvature_total += unit.curvature.abs();
        curvature_sum += unit.curvature;
        curvature_squares += unit.curvature * unit.curvature;
    }
    let convex_share = if curvature_total > 0.0 {
        convex / curvature_total
    } else {
        0.0
    };
    // A few large same-sign units can make K high by chance; the z-score of
    // the curvature sum under random signs tells chance from a real sum of
    // many convex bumps.
    let convex_evidence = if curvature_squares > 0.0 {
        curvature_sum / curvature_squares.sqrt()
    } else {
        0.0
    };

    // Sides and slopes per input.
    let mut inputs = vec![
        InputSides {
            positive_importance: 0.0,
            negative_importance: 0.0,
            one_sided_slope: 0.0,
            counterweight_slope: 0.0,
        };
        n
    ];
    let mut side_balance = 0.0;
    let mut any_one_sided = false;
    for (j, role) in neurons.iter().enumerate() {
        let scale = f64::from(mlp.a[j]) * role.activation_slope;
        if role.is_one_sided() {
            let (target, side) = role.local().expect("one-sided neurons are local");
            let input = &mut inputs[target];
            match side {
                Sign::Positive => input.positive_importance += role.importance,
                Sign::Negative => input.negative_importance += role.importance,
            }
            input.one_sided_slope += scale * f64::from(mlp.row(j)[target]);
            side_balance += f64::from(side.value()) * role.importance;
            any_one_sided = true;
        } else if role.is_counterweight() {
            for (input, w) in inputs.iter_mut().zip(mlp.row(j)) {
                input.counterweight_slope += scale * f64::from(*w);
            }
        }
    }
    let double_sidedness = inputs.iter().map(InputSides::balance).sum::<f64>() / n as f64;
    let signed_counterweight = inputs
        .iter()
        .map(|input| input.one_sided_slope.signum_or_zero() * input.counterweight_slope)
        .sum::<f64>()
        / n as f64;
    let pudding_slope = signed_counterweight.abs().min(1.0);
    // An exact tie (e.g. half the inputs of a pudding flipped) still needs
    // a sign, or flipping inputs could change the label's kind.
    let majority_side = if any_one_sided {
        Some(sign_of(side_balance).unwrap_or(Sign::Positive))
    } else {
        None
    };

    Ok(OrderParameters {
        n,
        m,
        locality,
        double_sidedness,
        pudding_slope,
        convex_share,
        convex_evidence,
        majority_side,
        total_importance,
        importance_floor,
        significance_threshold,
        nonlinear_importance,
        neurons,
        units,
        inputs,
    })
}

/// The sign of `x` in f64 (`None` for 0 and NaN).
fn sign_of(x: f64) -> Option<Sign> {
    if x > 0.0 {
        Some(Sign::Positive)
    } else if x < 0.0 {
        Some(Sign::Negative)
    } else {
        None
    }
}

trait SignumOrZero {
    fn signum_or_zero(self) -> f64;
}

impl SignumOrZero for f64 {
    /// `signum` with 0 for 0 (std's `signum(0.0)` is 1).
    fn signum_or_zero(self) -> f64 {
        if self > 0.0 {
            1.0
        } else if self < 0.0 {
            -1.0
        } else {
            0.0
        }
    }
}

/// The order parameters of one network under the default thresholds.
///
/// ```
/// use hyperinterp_core::Sign;
/// use hyperinterp_phases::order_parameters;
/// let order = order_parameters(&hyperinterp_l1::pudding(8, 24, Sign::Negative, 20.0, 1.0)?)?;
/// assert!(order.locality > 0.95 && order.double_sidedness < 0.05 && order.pudding_slope > 0.95);
/// assert_eq!(order.majority_side, Some(Sign::Negative));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn order_parameters(mlp: &Mlp) -> Result<OrderParameters> {
    compute(mlp, &ClassifierConfig::default(), &mut Scratch::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `E f(z)` for `z ~ N(0, 1)` by composite Simpson on [-12, 12], split
    /// at `kink`: a slow, accurate reference for the quadrature.
    fn reference(f: impl Fn(f64) -> f64, kink: f64) -> f64 {
        let density = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let simpson = |low: f64, high: f64| {
            let steps = 20_000;
            let h = (high - low) / steps as f64;
            let g = |z: f64| f(z) * density(z);
            let inner: f64 = (1..steps)
                .map(|k| if k % 2 == 1 { 4.0 } else { 2.0 } * g(low + k as f64 * h))
                .sum();
            (g(low) + g(high) + inner) * h / 3.0
        };
        let kink = kink.clamp(-12.0, 12.0);
        simpson(-12.0, kink) + simpson(kink, 12.0)
    }

    fn single_neuron(r: f32, b: f32, activation: Activation) -> Mlp {
        Mlp::new(1, 1, vec![r], vec![b], vec![1.0], 0.0, activation).unwrap()
    }

    #[test]
    fn importance_and_slope_match_a_fine_reference() {
        for activation in [Activation::Swish, Activation::Relu] {
            for r in [0.1f32, 1.0, 3.0, 20.0] {
                for t in [-2.0f32, -0.3, 0.0, 0.5, 3.0] {
                    let b = t * r;
                    let order = order_parameters(&single_neuron(r, b, activation)).unwrap();
                    let role = &order.neurons[0];
                    let act = |z: f64| apply(activation, f64::from(b) + f64::from(r) * z);
                    let mean = reference(act, f64::from(-t));
                    let std = reference(|z| (act(z) - mean).powi(2), f64::from(-t)).sqrt();
                    let slope = reference(
                        |z| derivative(activation, f64::from(b) + f64::from(r) * z),
                        f64::from(-t),
                    );
                    let scale = std.max(1e-3 * f64::from(r));
                    assert!(
                        (role.importance - std).abs() <= 0.01 * scale,
                        "{activation:?} r {r} t {t}: std {} vs {std}",
                        role.importance
                    );
                    assert!(
                        (role.activation_slope - slope).abs() <= 3e-3,
                        "{activation:?} r {r} t {t}: slope {} vs {slope}",
                        role.activation_slope
                    );
                }
            }
        }
    }

    #[test]
    fn a_neuron_without_input_weights_is_unused() {
        let net = Mlp::new(
            2,
            1,
            vec![0.0, 0.0],
            vec![5.0],
            vec![3.0],
            0.0,
            Activation::Swish,
        )
        .unwrap();
        let order = order_parameters(&net).unwrap();
        assert_eq!(order.neurons[0].importance, 0.0);
        assert_eq!(order.neurons[0].kind, NeuronKind::Unused);
        assert!(!order.has_work());
    }

    #[test]
    fn ties_in_importance_are_kept_or_dropped_together() {
        // Sixty neurons of equal importance, each 1/60 < 2% of the total,
        // would all vanish under a per-neuron rule; none may vanish here.
        let n = 2;
        let m = 60;
        let mut net = Mlp::zeros(n, m, Activation::Swish).unwrap();
        for j in 0..m {
            net.w[j * n] = if j % 2 == 0 { 1.0 } else { -1.0 };
            net.w[j * n + 1] = if j % 3 == 0 { 1.0 } else { -1.0 };
            net.a[j] = 0.1;
        }
        let order = order_parameters(&net).unwrap();
        assert_eq!(order.count_unused(), 0);
        assert!(
            order
                .neurons
                .iter()
                .all(|r| r.importance == order.neurons[0].importance)
        );
    }
}
