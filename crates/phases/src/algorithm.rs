//! Algorithm labels and the classifier that assigns them.

use std::fmt;

use hyperinterp_core::{CoreError, Mlp, Result, Sign};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::ClassifierConfig;
use crate::order::{self, OrderParameters, Scratch};

/// The algorithm a network uses for `||x||_1` (docs/design.md §3), or `Mixed`
/// / `Trivial`. Serialised everywhere by [`Algorithm::name`]: `"double_sided"`,
/// `"pudding_positive"`, `"pudding_negative"`, `"convexity"`, `"mixed"`,
/// `"trivial"`.
///
/// ```
/// use hyperinterp_core::Sign;
/// use hyperinterp_phases::Algorithm;
/// let label = Algorithm::Pudding(Sign::Negative);
/// assert_eq!(serde_json::to_string(&label)?, r#""pudding_negative""#);
/// assert_eq!(serde_json::from_str::<Algorithm>(r#""convexity""#)?, Algorithm::Convexity);
/// let names: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
/// assert_eq!(names, ["double_sided", "pudding_positive", "pudding_negative", "convexity", "mixed", "trivial"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// A pair of one-sided neurons on both sides of every input.
    DoubleSided,
    /// One-sided neurons on one side of every input (the sign), plus a
    /// linear counterweight.
    Pudding(Sign),
    /// Dense convex bumps.
    Convexity,
    /// Accurate, but none of the three.
    Mixed,
    /// Inaccurate (NMSE >= 0.9), or no neuron does nonlinear work.
    Trivial,
}

impl Algorithm {
    /// The six labels in their canonical order (the order of every table).
    ///
    /// ```
    /// use hyperinterp_phases::Algorithm;
    /// assert_eq!(Algorithm::ALL.len(), 6);
    /// assert_eq!(Algorithm::ALL[0], Algorithm::DoubleSided);
    /// assert_eq!(Algorithm::ALL[5], Algorithm::Trivial);
    /// ```
    pub const ALL: [Algorithm; 6] = [
        Algorithm::DoubleSided,
        Algorithm::Pudding(Sign::Positive),
        Algorithm::Pudding(Sign::Negative),
        Algorithm::Convexity,
        Algorithm::Mixed,
        Algorithm::Trivial,
    ];

    /// The snake_case name used in every serialisation.
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// use hyperinterp_phases::Algorithm;
    /// assert_eq!(Algorithm::Pudding(Sign::Positive).name(), "pudding_positive");
    /// assert_eq!(Algorithm::DoubleSided.to_string(), "double_sided");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::DoubleSided => "double_sided",
            Algorithm::Pudding(Sign::Positive) => "pudding_positive",
            Algorithm::Pudding(Sign::Negative) => "pudding_negative",
            Algorithm::Convexity => "convexity",
            Algorithm::Mixed => "mixed",
            Algorithm::Trivial => "trivial",
        }
    }

    /// Parses a name written by [`Algorithm::name`].
    ///
    /// ```
    /// use hyperinterp_phases::Algorithm;
    /// assert_eq!(Algorithm::from_name("mixed")?, Algorithm::Mixed);
    /// assert!(Algorithm::from_name("pudding").is_err());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn from_name(name: &str) -> Result<Self> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| {
                CoreError::config(
                    "algorithm",
                    format!(
                        "unknown label {name:?}; expected one of {:?}",
                        Algorithm::ALL.map(Algorithm::name)
                    ),
                )
            })
    }

    /// Position in [`Algorithm::ALL`].
    ///
    /// ```
    /// use hyperinterp_phases::Algorithm;
    /// assert!(Algorithm::ALL.iter().enumerate().all(|(k, a)| a.index() == k));
    /// ```
    pub fn index(self) -> usize {
        match self {
            Algorithm::DoubleSided => 0,
            Algorithm::Pudding(Sign::Positive) => 1,
            Algorithm::Pudding(Sign::Negative) => 2,
            Algorithm::Convexity => 3,
            Algorithm::Mixed => 4,
            Algorithm::Trivial => 5,
        }
    }

    /// Whether this is one of the three algorithms (not `Mixed` or `Trivial`).
    ///
    /// ```
    /// use hyperinterp_phases::Algorithm;
    /// assert!(Algorithm::Convexity.is_algorithm());
    /// assert!(!Algorithm::Mixed.is_algorithm());
    /// ```
    pub fn is_algorithm(self) -> bool {
        !matches!(self, Algorithm::Mixed | Algorithm::Trivial)
    }

    /// The short form used in descriptions: `double-sided`, `pudding(+)`,
    /// `pudding(-)`, `convexity`, `mixed`, `trivial`.
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// assert_eq!(hyperinterp_phases::Algorithm::Pudding(Sign::Negative).short_name(), "pudding(-)");
    /// ```
    pub fn short_name(self) -> &'static str {
        match self {
            Algorithm::DoubleSided => "double-sided",
            Algorithm::Pudding(Sign::Positive) => "pudding(+)",
            Algorithm::Pudding(Sign::Negative) => "pudding(-)",
            Algorithm::Convexity => "convexity",
            Algorithm::Mixed => "mixed",
            Algorithm::Trivial => "trivial",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Algorithm::from_name(&name).map_err(serde::de::Error::custom)
    }
}

/// A network's label with the NMSE it was given and its order parameters.
///
/// ```
/// use hyperinterp_phases::{classify, Algorithm};
/// let net = hyperinterp_l1::double_sided(4, 8, 20.0)?;
/// let result = classify(&net, 0.001)?;
/// assert_eq!(result.algorithm, Algorithm::DoubleSided);
/// assert_eq!(result.nmse, 0.001);
/// assert!(result.order_parameters.locality > 0.99);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    /// The label.
    pub algorithm: Algorithm,
    /// The NMSE the label was given with.
    pub nmse: f64,
    /// The order parameters behind the label.
    pub order_parameters: OrderParameters,
}

/// Computes order parameters and labels under one validated
/// [`ClassifierConfig`]; bulk methods reuse buffers across networks.
///
/// ```
/// use hyperinterp_phases::{Algorithm, Classifier, ClassifierConfig};
/// let classifier = Classifier::new(ClassifierConfig::default())?;
/// let nets = vec![
///     hyperinterp_l1::double_sided(4, 8, 20.0)?,
///     hyperinterp_l1::convexity(4, 12, &Default::default())?,
/// ];
/// let labels = classifier.classify_many(&nets, &[0.001, 0.5])?;
/// assert_eq!(labels[0].algorithm, Algorithm::DoubleSided);
/// assert_eq!(labels[1].algorithm, Algorithm::Convexity);
/// assert!(classifier.classify_many(&nets, &[0.1]).is_err()); // one NMSE per network
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Classifier {
    config: ClassifierConfig,
}

impl Classifier {
    /// A classifier with `config`, which is validated.
    ///
    /// ```
    /// use hyperinterp_phases::{Classifier, ClassifierConfig};
    /// let bad = ClassifierConfig { trivial_min_nmse: -1.0, ..Default::default() };
    /// assert!(Classifier::new(bad).unwrap_err().to_string().contains("trivial_min_nmse"));
    /// ```
    pub fn new(config: ClassifierConfig) -> Result<Self> {
        config.validate()?;
        Ok(Classifier { config })
    }

    /// The thresholds in use.
    ///
    /// ```
    /// let classifier = hyperinterp_phases::Classifier::default();
    /// assert_eq!(classifier.config().local_max_density, 0.25);
    /// ```
    pub fn config(&self) -> &ClassifierConfig {
        &self.config
    }

    /// The order parameters of one network (an invalid network is an error).
    ///
    /// ```
    /// let classifier = hyperinterp_phases::Classifier::default();
    /// let mut net = hyperinterp_l1::double_sided(2, 4, 20.0)?;
    /// assert!(classifier.order_parameters(&net)?.double_sidedness > 0.99);
    /// net.w[0] = f32::NAN;
    /// assert!(classifier.order_parameters(&net).is_err());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn order_parameters(&self, mlp: &Mlp) -> Result<OrderParameters> {
        order::compute(mlp, &self.config, &mut Scratch::default())
    }

    /// The order parameters of many networks; sizes may differ between
    /// networks. An invalid network is an error naming its index.
    ///
    /// ```
    /// let classifier = hyperinterp_phases::Classifier::default();
    /// let mut nets = vec![hyperinterp_l1::double_sided(2, 4, 20.0)?; 3];
    /// assert_eq!(classifier.order_parameters_many(&nets)?.len(), 3);
    /// nets[2].b.pop();
    /// let error = classifier.order_parameters_many(&nets).unwrap_err();
    /// assert!(error.to_string().contains("networks[2].b"));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn order_parameters_many(&self, mlps: &[Mlp]) -> Result<Vec<OrderParameters>> {
        let mut scratch = Scratch::default();
        mlps.iter()
            .enumerate()
            .map(|(k, mlp)| {
                order::compute(mlp, &self.config, &mut scratch)
                    .map_err(|e| e.within(&format!("networks[{k}].")))
            })
            .collect()
    }

    /// The label of a network with these order parameters and NMSE. The
    /// NMSE must be finite and >= 0.
    ///
    /// ```
    /// use hyperinterp_phases::{Algorithm, Classifier};
    /// let classifier = Classifier::default();
    /// let order = classifier.order_parameters(&hyperinterp_l1::double_sided(4, 8, 20.0)?)?;
    /// assert_eq!(classifier.label(&order, 0.01)?, Algorithm::DoubleSided);
    /// assert_eq!(classifier.label(&order, 0.95)?, Algorithm::Trivial);
    /// assert!(classifier.label(&order, f64::NAN).is_err());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn label(&self, order: &OrderParameters, nmse: f64) -> Result<Algorithm> {
        if !(nmse.is_finite() && nmse >= 0.0) {
            return Err(CoreError::config(
                "nmse",
                format!("must be finite and >= 0, got {nmse}"),
            ));
        }
        let c = &self.config;
        let (l, d, p) = (order.locality, order.double_sidedness, order.pudding_slope);
        let local_enough = l >= c.algorithm_min_locality;
        let pudding_shaped =
            local_enough && d <= c.pudding_max_double_sidedness && p >= c.pudding_min_pudding_slope;
        Ok(if nmse >= c.trivial_min_nmse || !order.has_work() {
            Algorithm::Trivial
        } else if local_enough
            && d >= c.double_sided_min_double_sidedness
            && p <= c.double_sided_max_pudding_slope
        {
            Algorithm::DoubleSided
        } else if let (true, Some(sign)) = (pudding_shaped, order.majority_side) {
            Algorithm::Pudding(sign)
        } else if order.convex_share >= c.convexity_min_convex_share
            && (l <= c.convexity_max_locality
                || (l <= c.convexity_max_locality_with_evidence
                    && (order.convex_evidence >= c.convexity_min_convex_evidence
                        || order.convex_evidence_share() >= c.convexity_min_convex_evidence_share)))
        {
            Algorithm::Convexity
        } else {
            Algorithm::Mixed
        })
    }

    /// Order parameters and label of one network with its NMSE.
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// use hyperinterp_phases::{Algorithm, Classifier};
    /// let net = hyperinterp_l1::pudding(8, 24, Sign::Positive, 20.0, 1.0)?;
    /// let result = Classifier::default().classify(&net, 0.001)?;
    /// assert_eq!(result.algorithm, Algorithm::Pudding(Sign::Positive));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn classify(&self, mlp: &Mlp, nmse: f64) -> Result<Classification> {
        let order_parameters = self.order_parameters(mlp)?;
        Ok(Classification {
            algorithm: self.label(&order_parameters, nmse)?,
            nmse,
            order_parameters,
        })
    }

    /// Labels many networks, one NMSE each (the lengths must agree). Sizes
    /// may differ between networks. Errors name the offending index.
    ///
    /// ```
    /// use hyperinterp_phases::{Algorithm, Classifier};
    /// let nets = vec![hyperinterp_l1::double_sided(2, 4, 20.0)?; 2];
    /// let error = Classifier::default().classify_many(&nets, &[0.1, f64::NAN]).unwrap_err();
    /// assert!(error.to_string().contains("networks[1].nmse"));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn classify_many(&self, mlps: &[Mlp], nmse: &[f64]) -> Result<Vec<Classification>> {
        if mlps.len() != nmse.len() {
            return Err(CoreError::config(
                "nmse",
                format!(
                    "needs one value per network: {} values for {} networks",
                    nmse.len(),
                    mlps.len()
                ),
            ));
        }
        let mut scratch = Scratch::default();
        mlps.iter()
            .zip(nmse)
            .enumerate()
            .map(|(k, (mlp, &nmse))| {
                let order_parameters = order::compute(mlp, &self.config, &mut scratch)
                    .map_err(|e| e.within(&format!("networks[{k}].")))?;
                let algorithm = self
                    .label(&order_parameters, nmse)
                    .map_err(|e| e.within(&format!("networks[{k}].")))?;
                Ok(Classification {
                    algorithm,
                    nmse,
                    order_parameters,
                })
            })
            .collect()
    }

    /// The label from structure alone, as if the network were accurate
    /// (NMSE 0): what [`crate::describe`] names.
    ///
    /// ```
    /// use hyperinterp_phases::{Algorithm, Classifier};
    /// let net = hyperinterp_l1::convexity(8, 24, &Default::default())?;
    /// assert_eq!(Classifier::default().structural_label(&net)?, Algorithm::Convexity);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn structural_label(&self, mlp: &Mlp) -> Result<Algorithm> {
        self.label(&self.order_parameters(mlp)?, 0.0)
    }
}

/// Order parameters and label of one network with its NMSE, under the
/// default thresholds.
///
/// ```
/// use hyperinterp_phases::{classify, Algorithm};
/// let net = hyperinterp_l1::convexity(8, 24, &Default::default())?;
/// assert_eq!(classify(&net, 0.4)?.algorithm, Algorithm::Convexity);
/// assert_eq!(classify(&net, 1.2)?.algorithm, Algorithm::Trivial);
/// assert!(classify(&net, -0.1).is_err());
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn classify(mlp: &Mlp, nmse: f64) -> Result<Classification> {
    Classifier::default().classify(mlp, nmse)
}

/// Lets trainers (e.g. `hyperinterp-pareto`) label the networks they
/// evaluate without depending on this crate.
///
/// ```
/// use hyperinterp_core::NetworkClassifier;
/// use hyperinterp_phases::Classifier;
/// let net = hyperinterp_l1::double_sided(4, 12, hyperinterp_l1::SHARPNESS)?;
/// assert_eq!(Classifier::default().algorithm_name(&net, 0.001)?, "double_sided");
/// let labelled = Classifier::default().label_with_order_parameters(&net, 0.001)?;
/// assert_eq!(labelled.algorithm, "double_sided");
/// assert!(labelled.order_parameters["double_sidedness"] > 0.9);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
impl hyperinterp_core::NetworkClassifier for Classifier {
    fn algorithm_name(&self, mlp: &Mlp, nmse: f64) -> Result<String> {
        Ok(self.classify(mlp, nmse)?.algorithm.name().to_string())
    }

    fn label_with_order_parameters(
        &self,
        mlp: &Mlp,
        nmse: f64,
    ) -> Result<hyperinterp_core::Labelled> {
        let Classification {
            algorithm,
            order_parameters: order,
            ..
        } = self.classify(mlp, nmse)?;
        Ok(hyperinterp_core::Labelled {
            algorithm: algorithm.name().to_string(),
            order_parameters: order
                .named_values()
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
        })
    }
}
