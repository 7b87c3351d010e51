//! The thresholds behind the order parameters and the labels.

use hyperinterp_core::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// Every threshold of the classifier, with docs/design.md §4's values as
/// defaults (plus `parallel_min_cosine`, `convexity_min_convex_share`,
/// `convexity_max_locality_with_evidence`, `convexity_min_convex_evidence`
/// and `convexity_min_convex_evidence_share`, which this crate adds; the
/// crate docs say why).
///
/// ```
/// use hyperinterp_phases::ClassifierConfig;
/// let config: ClassifierConfig = serde_json::from_str(r#"{"trivial_min_nmse": 0.5}"#)?;
/// assert_eq!(config.trivial_min_nmse, 0.5);
/// assert_eq!(config.significance_fraction, 0.02); // the rest keep their defaults
/// assert!(serde_json::from_str::<ClassifierConfig>(r#"{"typo": 1}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClassifierConfig {
    /// The importance floor is this fraction of `max(total importance,
    /// std ||x||_1)`: the weakest neurons that together carry less than the
    /// floor are not significant, and nonlinear work below it counts as
    /// none. Default 0.02.
    pub significance_fraction: f64,
    /// A significant neuron is local if its density is at most this. Default 0.25.
    pub local_max_density: f64,
    /// A neuron is always-on if its bias z-score `b/||W||` is at least this,
    /// and dead if it is at most minus this. Default 3.
    pub always_on_z_score: f64,
    /// Neurons whose input weights are parallel or antiparallel up to this
    /// `|cos|` form one ridge unit. Default 0.99.
    pub parallel_min_cosine: f64,
    /// NMSE at or above which a network is `Trivial`. Default 0.9.
    pub trivial_min_nmse: f64,
    /// Least locality L of a double-sided or pudding network. Default 0.8.
    pub algorithm_min_locality: f64,
    /// Least double-sidedness D of a double-sided network. Default 0.7.
    pub double_sided_min_double_sidedness: f64,
    /// Largest pudding slope P of a double-sided network. Default 0.3.
    pub double_sided_max_pudding_slope: f64,
    /// Largest double-sidedness D of a pudding. Default 0.3.
    pub pudding_max_double_sidedness: f64,
    /// Least pudding slope P of a pudding. Default 0.6.
    pub pudding_min_pudding_slope: f64,
    /// Largest locality L of a convexity network. Default 0.5.
    pub convexity_max_locality: f64,
    /// Least convex share K of a convexity network. Default 0.8 (this
    /// crate's addition, see the crate docs).
    pub convexity_min_convex_share: f64,
    /// Largest locality L of a convexity network whose convex evidence
    /// reaches `convexity_min_convex_evidence`. Default 0.75 (this crate's
    /// addition: dense Gaussian features have L ≈ 0.5–0.65, see the crate docs).
    pub convexity_max_locality_with_evidence: f64,
    /// Least convex evidence (the z-score of the summed curvature under
    /// random read-out signs) for a convexity network with L above
    /// `convexity_max_locality`, unless its evidence share reaches
    /// `convexity_min_convex_evidence_share`. Default 4.
    pub convexity_min_convex_evidence: f64,
    /// Least convex evidence share `Z / √k` that stands in for the evidence
    /// of a network with too few units to reach it. Default 0.7 (this
    /// crate's addition: Gaussian convexity scores 0.71–0.96 at n = 4–16,
    /// see the crate docs).
    pub convexity_min_convex_evidence_share: f64,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        ClassifierConfig {
            significance_fraction: 0.02,
            local_max_density: 0.25,
            always_on_z_score: 3.0,
            parallel_min_cosine: 0.99,
            trivial_min_nmse: 0.9,
            algorithm_min_locality: 0.8,
            double_sided_min_double_sidedness: 0.7,
            double_sided_max_pudding_slope: 0.3,
            pudding_max_double_sidedness: 0.3,
            pudding_min_pudding_slope: 0.6,
            convexity_max_locality: 0.5,
            convexity_min_convex_share: 0.8,
            convexity_max_locality_with_evidence: 0.75,
            convexity_min_convex_evidence: 4.0,
            convexity_min_convex_evidence_share: 0.7,
        }
    }
}

impl ClassifierConfig {
    /// Errors naming the first field out of range: fractions and thresholds
    /// on L, D, P must lie in [0, 1], `parallel_min_cosine` in (0, 1], the
    /// z-score and the NMSE threshold must be finite and > 0, and the label
    /// regions must not overlap (convexity's largest locality below the
    /// algorithms' least, pudding's largest D below double-sided's least).
    ///
    /// ```
    /// use hyperinterp_phases::ClassifierConfig;
    /// assert!(ClassifierConfig::default().validate().is_ok());
    /// let bad = ClassifierConfig { local_max_density: 1.5, ..Default::default() };
    /// assert!(bad.validate().unwrap_err().to_string().contains("local_max_density"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        let unit_interval = [
            ("significance_fraction", self.significance_fraction),
            ("local_max_density", self.local_max_density),
            ("algorithm_min_locality", self.algorithm_min_locality),
            (
                "double_sided_min_double_sidedness",
                self.double_sided_min_double_sidedness,
            ),
            (
                "double_sided_max_pudding_slope",
                self.double_sided_max_pudding_slope,
            ),
            (
                "pudding_max_double_sidedness",
                self.pudding_max_double_sidedness,
            ),
            ("pudding_min_pudding_slope", self.pudding_min_pudding_slope),
            ("convexity_max_locality", self.convexity_max_locality),
            (
                "convexity_min_convex_share",
                self.convexity_min_convex_share,
            ),
            (
                "convexity_max_locality_with_evidence",
                self.convexity_max_locality_with_evidence,
            ),
            (
                "convexity_min_convex_evidence_share",
                self.convexity_min_convex_evidence_share,
            ),
        ];
        for (field, value) in unit_interval {
            if !(0.0..=1.0).contains(&value) {
                return Err(CoreError::config(
                    field,
                    format!("must lie in [0, 1], got {value}"),
                ));
            }
        }
        if !(self.parallel_min_cosine > 0.0 && self.parallel_min_cosine <= 1.0) {
            return Err(CoreError::config(
                "parallel_min_cosine",
                format!("must lie in (0, 1], got {}", self.parallel_min_cosine),
            ));
        }
        for (field, value) in [
            ("always_on_z_score", self.always_on_z_score),
            ("trivial_min_nmse", self.trivial_min_nmse),
            (
                "convexity_min_convex_evidence",
                self.convexity_min_convex_evidence,
            ),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(CoreError::config(
                    field,
                    format!("must be finite and > 0, got {value}"),
                ));
            }
        }
        for (field, value) in [
            ("convexity_max_locality", self.convexity_max_locality),
            (
                "convexity_max_locality_with_evidence",
                self.convexity_max_locality_with_evidence,
            ),
        ] {
            if value >= self.algorithm_min_locality {
                return Err(CoreError::config(
                    field,
                    format!(
                        "must be below algorithm_min_locality ({}), got {value}",
                        self.algorithm_min_locality
                    ),
                ));
            }
        }
        if self.pudding_max_double_sidedness >= self.double_sided_min_double_sidedness {
            return Err(CoreError::config(
                "pudding_max_double_sidedness",
                format!(
                    "must be below double_sided_min_double_sidedness ({}), got {}",
                    self.double_sided_min_double_sidedness, self.pudding_max_double_sidedness
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_named() {
        let cases: Vec<(&str, ClassifierConfig)> = vec![
            (
                "significance_fraction",
                ClassifierConfig {
                    significance_fraction: f64::NAN,
                    ..Default::default()
                },
            ),
            (
                "parallel_min_cosine",
                ClassifierConfig {
                    parallel_min_cosine: 0.0,
                    ..Default::default()
                },
            ),
            (
                "always_on_z_score",
                ClassifierConfig {
                    always_on_z_score: -1.0,
                    ..Default::default()
                },
            ),
            (
                "trivial_min_nmse",
                ClassifierConfig {
                    trivial_min_nmse: f64::INFINITY,
                    ..Default::default()
                },
            ),
            (
                "convexity_max_locality",
                ClassifierConfig {
                    convexity_max_locality: 0.9,
                    ..Default::default()
                },
            ),
            (
                "pudding_max_double_sidedness",
                ClassifierConfig {
                    pudding_max_double_sidedness: 0.8,
                    ..Default::default()
                },
            ),
        ];
        for (field, config) in cases {
            let error = config.validate().unwrap_err().to_string();
            assert!(error.contains(field), "{field}: {error}");
        }
    }

    #[test]
    fn json_round_trip_keeps_every_field() {
        let config = ClassifierConfig {
            parallel_min_cosine: 0.95,
            ..Default::default()
        };
        let text = serde_json::to_string(&config).unwrap();
        let back: ClassifierConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(back, config);
        let empty: ClassifierConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, ClassifierConfig::default());
    }
}
