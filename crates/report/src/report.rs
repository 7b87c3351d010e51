//! The data of a report: what `report.json` holds, row by row.
//!
//! The key names are a contract with the main job `discover` and with readers
//! of `report.json` outside Rust; tests pin them. Algorithm labels are plain
//! strings here (`"double_sided"`, `"pudding_positive"`, ...) so that this
//! crate does not depend on the crate that computes them.

use hyperinterp_core::{CoreError, Guidance, Mlp, Result};
use serde::{Deserialize, Deserializer, Serialize};

/// Reads a number that may be `null`: serde_json writes NaN and infinities as
/// `null`, so a report with a diverged run must still read back (as NaN).
fn number_or_nan<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}

/// The algorithm labels, in the order used by every table and figure.
///
/// ```
/// assert_eq!(hyperinterp_report::LABELS[0], "double_sided");
/// assert_eq!(hyperinterp_report::LABELS.len(), 6);
/// ```
pub const LABELS: [&str; 6] = [
    "double_sided",
    "pudding_positive",
    "pudding_negative",
    "convexity",
    "mixed",
    "trivial",
];

/// Fraction of networks that carry each algorithm label (each in [0, 1],
/// summing to 1 when every network was labelled).
///
/// ```
/// use hyperinterp_report::Fractions;
/// let fractions = Fractions::from_labels(["double_sided", "double_sided", "mixed"])?;
/// assert!((fractions.double_sided - 2.0 / 3.0).abs() < 1e-12);
/// assert_eq!(fractions.majority(), Some("double_sided"));
/// assert_eq!(Fractions::default().majority(), None);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fractions {
    /// Double-sided: a neuron pair per input, one for each sign.
    #[serde(deserialize_with = "number_or_nan")]
    pub double_sided: f64,
    /// Pudding with positive one-sided neurons.
    #[serde(deserialize_with = "number_or_nan")]
    pub pudding_positive: f64,
    /// Pudding with negative one-sided neurons.
    #[serde(deserialize_with = "number_or_nan")]
    pub pudding_negative: f64,
    /// Convexity: dense neurons, a sum of convex bumps.
    #[serde(deserialize_with = "number_or_nan")]
    pub convexity: f64,
    /// None of the clean algorithms.
    #[serde(deserialize_with = "number_or_nan")]
    pub mixed: f64,
    /// No better than predicting the mean.
    #[serde(deserialize_with = "number_or_nan")]
    pub trivial: f64,
}

impl Fractions {
    /// The six `(label, fraction)` pairs in [`LABELS`] order.
    ///
    /// ```
    /// let fractions = hyperinterp_report::Fractions { trivial: 1.0, ..Default::default() };
    /// assert_eq!(fractions.entries()[5], ("trivial", 1.0));
    /// ```
    pub fn entries(&self) -> [(&'static str, f64); 6] {
        [
            (LABELS[0], self.double_sided),
            (LABELS[1], self.pudding_positive),
            (LABELS[2], self.pudding_negative),
            (LABELS[3], self.convexity),
            (LABELS[4], self.mixed),
            (LABELS[5], self.trivial),
        ]
    }

    /// The fraction of one label; `None` for a name not in [`LABELS`].
    ///
    /// ```
    /// let fractions = hyperinterp_report::Fractions { convexity: 0.5, ..Default::default() };
    /// assert_eq!(fractions.get("convexity"), Some(0.5));
    /// assert_eq!(fractions.get("unknown"), None);
    /// ```
    pub fn get(&self, label: &str) -> Option<f64> {
        self.entries()
            .into_iter()
            .find(|(name, _)| *name == label)
            .map(|(_, value)| value)
    }

    /// The label with the largest fraction (the first in [`LABELS`] order on a
    /// tie); `None` when no fraction is positive (NaN counts as 0).
    ///
    /// ```
    /// let fractions = hyperinterp_report::Fractions {
    ///     pudding_negative: 0.4, convexity: 0.6, ..Default::default()
    /// };
    /// assert_eq!(fractions.majority(), Some("convexity"));
    /// ```
    pub fn majority(&self) -> Option<&'static str> {
        let mut best: Option<(&'static str, f64)> = None;
        for (label, value) in self.entries() {
            if value > 0.0 && best.is_none_or(|(_, top)| value > top) {
                best = Some((label, value));
            }
        }
        best.map(|(label, _)| label)
    }

    /// Counts labels given as names from [`LABELS`]; an unknown name is an
    /// error, an empty list gives all zeros.
    ///
    /// ```
    /// let fractions = hyperinterp_report::Fractions::from_labels(["trivial", "convexity"])?;
    /// assert_eq!(fractions.trivial, 0.5);
    /// assert!(hyperinterp_report::Fractions::from_labels(["pudding"]).is_err());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn from_labels<'a>(labels: impl IntoIterator<Item = &'a str>) -> Result<Fractions> {
        let mut counts = [0usize; 6];
        let mut total = 0usize;
        for label in labels {
            let index = LABELS
                .iter()
                .position(|name| *name == label)
                .ok_or_else(|| {
                    CoreError::config(
                        "label",
                        format!("{label:?} is not one of the algorithm labels {LABELS:?}"),
                    )
                })?;
            counts[index] += 1;
            total += 1;
        }
        let share = |count: usize| {
            if total == 0 {
                0.0
            } else {
                count as f64 / total as f64
            }
        };
        Ok(Fractions {
            double_sided: share(counts[0]),
            pudding_positive: share(counts[1]),
            pudding_negative: share(counts[2]),
            convexity: share(counts[3]),
            mixed: share(counts[4]),
            trivial: share(counts[5]),
        })
    }
}

/// The three order parameters (averaged over the networks of a row).
///
/// ```
/// let order = hyperinterp_report::OrderParameters { locality: 1.0, double_sidedness: 1.0, pudding_slope: 0.0 };
/// assert_eq!(serde_json::to_value(&order).unwrap()["double_sidedness"], 1.0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderParameters {
    /// Locality L: 1 when every working neuron reads one input.
    #[serde(deserialize_with = "number_or_nan")]
    pub locality: f64,
    /// Double-sidedness D: 1 when every input has neurons of both signs.
    #[serde(deserialize_with = "number_or_nan")]
    pub double_sidedness: f64,
    /// Pudding slope P: the linear counterweight of dense neurons, in L1 slopes.
    #[serde(deserialize_with = "number_or_nan")]
    pub pudding_slope: f64,
}

/// One point of the beta grid: error, complexity and the labels of the
/// networks sampled there (phase diagram over beta, and the Pareto front).
///
/// ```
/// let row = hyperinterp_report::BetaRow { beta: 1e-3, nmse: 0.01, kl: 120.0, ..Default::default() };
/// let json = serde_json::to_value(&row).unwrap();
/// assert_eq!(json["kl"], 120.0);
/// assert!(json.get("nmse_mean_weights").is_none()); // optional fields are left out when unset
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BetaRow {
    /// The complexity price (nats are weighted by beta in the loss).
    #[serde(deserialize_with = "number_or_nan")]
    pub beta: f64,
    /// NMSE of networks with sampled weights.
    #[serde(deserialize_with = "number_or_nan")]
    pub nmse: f64,
    /// KL in nats: the description length of a generated network.
    #[serde(deserialize_with = "number_or_nan")]
    pub kl: f64,
    /// Label fractions of the networks sampled at this beta.
    pub fractions: Fractions,
    /// Order parameters averaged over those networks.
    pub order_parameters: OrderParameters,
    /// NMSE of the networks made of mean weights (no sampling), if measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nmse_mean_weights: Option<f64>,
    /// Label fractions of the same networks' mean weights, if measured (when
    /// `fractions` come from sampled weights the two can differ in kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_weight_fractions: Option<Fractions>,
    /// How many networks the fractions count, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<usize>,
}

/// Label fractions at one training checkpoint (phase diagram over training time).
///
/// ```
/// let row = hyperinterp_report::StepRow { step: 500, beta: 1e-2, ..Default::default() };
/// assert_eq!(serde_json::to_value(&row).unwrap()["step"], 500);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StepRow {
    /// Training step of the checkpoint.
    pub step: u64,
    /// The beta the networks were generated at.
    #[serde(deserialize_with = "number_or_nan")]
    pub beta: f64,
    /// Label fractions at this checkpoint.
    pub fractions: Fractions,
    /// NMSE at this checkpoint, if measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nmse: Option<f64>,
    /// KL at this checkpoint, if measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kl: Option<f64>,
    /// Mean order parameters at this checkpoint, if recorded: they move
    /// before the labels do (double-sidedness rises long before a network
    /// is labelled double-sided).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_parameters: Option<OrderParameters>,
}

/// Error and labels at one input size `n` (and width `m`), trained on or not
/// (systematic generalisation).
///
/// ```
/// let row = hyperinterp_report::GeneralizationRow { n: 12, m: 36, trained: false, beta: 1e-2, nmse: 0.05, ..Default::default() };
/// assert_eq!(serde_json::to_value(&row).unwrap()["trained"], false);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GeneralizationRow {
    /// Input size.
    pub n: usize,
    /// Hidden width.
    pub m: usize,
    /// Whether the hypernetwork was trained at this `(n, m)`.
    pub trained: bool,
    /// The beta the networks were generated at.
    #[serde(deserialize_with = "number_or_nan")]
    pub beta: f64,
    /// NMSE of the generated networks' labelled weights (sampled unless the
    /// run labels mean weights).
    #[serde(deserialize_with = "number_or_nan")]
    pub nmse: f64,
    /// Label fractions of the generated networks.
    pub fractions: Fractions,
}

/// The paper's baseline: the same MLP trained directly with Adam.
///
/// ```
/// let baseline = hyperinterp_report::AdamBaselineSummary { nmse: 0.02, label: "mixed".into(), description: None };
/// assert_eq!(serde_json::to_value(&baseline).unwrap()["label"], "mixed");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AdamBaselineSummary {
    /// NMSE of the trained network.
    #[serde(deserialize_with = "number_or_nan")]
    pub nmse: f64,
    /// Its algorithm label (one of [`LABELS`], or free text).
    pub label: String,
    /// Its algorithm as a formula (the classifier's `describe`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A network chosen to stand for an algorithm found, with its formula.
///
/// Its `network` is written exactly as one network of the JSON export
/// ([`hyperinterp_core::export::JsonNetwork`]: `w` nested as `[m][n]`, row
/// `j` holding hidden neuron `j`'s input weights); reading also accepts the
/// flat `w` of reports written before.
///
/// ```
/// let network = hyperinterp_core::Mlp::zeros(2, 4, Default::default())?;
/// let representative = hyperinterp_report::Representative {
///     label: "trivial".into(), beta: 1.0, nmse: 1.0, description: "f(x) = 0".into(), network,
/// };
/// let value = serde_json::to_value(&representative)?;
/// assert_eq!(value["network"]["n"], 2);
/// assert_eq!(value["network"]["w"][3], serde_json::json!([0.0, 0.0])); // hidden neuron 3
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Representative {
    /// Its algorithm label, from `nmse` below.
    pub label: String,
    /// The beta it was generated at.
    #[serde(deserialize_with = "number_or_nan")]
    pub beta: f64,
    /// Its NMSE, measured on fresh inputs after it was chosen (the lowest of
    /// a sample is biased low, so the NMSE it was chosen by is not reported).
    #[serde(deserialize_with = "number_or_nan")]
    pub nmse: f64,
    /// What it computes, as a formula a person can read.
    pub description: String,
    /// The network itself, in the JSON export's layout.
    #[serde(with = "hyperinterp_core::export::json_network")]
    pub network: Mlp,
}

/// The phase diagram over beta at one trained size. Phase boundaries move
/// with n (a network's description length grows with its size), so pooling
/// sizes can blur a phase that is the majority at each size in turn.
///
/// ```
/// let sized = hyperinterp_report::SizePhases { n: 4, m: 12, phases_by_beta: vec![] };
/// assert_eq!(serde_json::to_value(&sized).unwrap()["m"], 12);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SizePhases {
    /// Input size.
    pub n: usize,
    /// Hidden width.
    pub m: usize,
    /// One row per beta, from this size's networks alone.
    pub phases_by_beta: Vec<BetaRow>,
}

/// The amortisation gap at one size and beta: networks the generator wrote,
/// then each refined by gradient descent on the same objective
/// (`NMSE + beta · KL` of its own weight posterior, from its mean weights).
/// The refined labels say which algorithm's basin the generator wrote in;
/// the drop in free energy is what a better-trained generator could gain.
///
/// ```
/// let row = hyperinterp_report::RefinementRow { n: 8, m: 24, trained: true, beta: 1e-6, networks: 4, generated_free_energy: 0.07, refined_free_energy: 0.005, ..Default::default() };
/// assert_eq!(serde_json::to_value(&row).unwrap()["networks"], 4);
/// // Reports written before `trained` existed held trained sizes only.
/// let mut old = serde_json::to_value(&row).unwrap();
/// old.as_object_mut().unwrap().remove("trained");
/// let read: hyperinterp_report::RefinementRow = serde_json::from_value(old).unwrap();
/// assert!(read.trained);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RefinementRow {
    /// Input size.
    pub n: usize,
    /// Hidden width.
    pub m: usize,
    /// Whether the generator was trained at this size (rows of reports
    /// written before this field are all trained sizes).
    #[serde(default = "trained_by_default")]
    pub trained: bool,
    /// The beta the networks were generated and refined at.
    #[serde(deserialize_with = "number_or_nan")]
    pub beta: f64,
    /// Networks generated (and each refined).
    pub networks: usize,
    /// Mean free energy `NMSE + beta · weight KL` of the generated networks.
    #[serde(deserialize_with = "number_or_nan")]
    pub generated_free_energy: f64,
    /// Mean free energy after refinement.
    #[serde(deserialize_with = "number_or_nan")]
    pub refined_free_energy: f64,
    /// Mean NMSE of the generated networks (sampled weights).
    #[serde(deserialize_with = "number_or_nan")]
    pub generated_nmse: f64,
    /// Mean NMSE of the refined networks (sampled weights).
    #[serde(deserialize_with = "number_or_nan")]
    pub refined_nmse: f64,
    /// Labels of the generated networks (sampled weights).
    pub generated_fractions: Fractions,
    /// Labels of weight draws from the refined posteriors.
    pub refined_fractions: Fractions,
}

fn trained_by_default() -> bool {
    true
}

fn default_title() -> String {
    "hyperinterp report".to_string()
}

/// Everything the main job reports: the content of `report.json`, and what
/// [`render_html`](crate::render_html) turns into a page.
///
/// ```
/// let report = hyperinterp_report::Report::default();
/// let json = serde_json::to_string(&report)?;
/// let back: hyperinterp_report::Report = serde_json::from_str(&json)?;
/// assert_eq!(back, report);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Blind or guided: what training was handed of the task's hand-written
    /// solutions. A report written before this was recorded reads as
    /// [`Guidance::unrecorded`], which counts as guided.
    #[serde(default = "Guidance::unrecorded")]
    pub guidance: Guidance,
    /// The configuration of the run, as given.
    pub config: serde_json::Value,
    /// Wall-clock seconds of the whole run.
    #[serde(deserialize_with = "number_or_nan")]
    pub wall_seconds: f64,
    /// Phase diagram over beta and the Pareto front, one row per beta.
    pub phases_by_beta: Vec<BetaRow>,
    /// The same diagram at each trained size (empty in older reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases_by_size: Vec<SizePhases>,
    /// Phase diagram over training time, one row per (checkpoint, beta).
    pub phases_by_step: Vec<StepRow>,
    /// Systematic generalisation, one row per (n, m, beta).
    pub generalization: Vec<GeneralizationRow>,
    /// The directly trained baseline.
    pub adam_baseline: AdamBaselineSummary,
    /// The amortisation gap: generated networks refined by the same
    /// objective (empty in older reports, or when switched off).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refinement: Vec<RefinementRow>,
    /// Representative networks of the algorithms found.
    #[serde(default)]
    pub representatives: Vec<Representative>,
    /// The page title.
    #[serde(default = "default_title")]
    pub title: String,
    /// Free-text notes shown at the top of the page (e.g. "demo data").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            guidance: Guidance::default(),
            config: serde_json::Value::Object(Default::default()),
            wall_seconds: 0.0,
            phases_by_beta: Vec::new(),
            phases_by_size: Vec::new(),
            phases_by_step: Vec::new(),
            generalization: Vec::new(),
            adam_baseline: AdamBaselineSummary::default(),
            refinement: Vec::new(),
            representatives: Vec::new(),
            title: default_title(),
            notes: Vec::new(),
        }
    }
}

impl Report {
    /// The report as pretty JSON (NaN and infinities become `null`).
    ///
    /// ```
    /// let text = hyperinterp_report::Report::default().to_json()?;
    /// assert!(text.contains("\"phases_by_beta\""));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// Parses a report written by [`Report::to_json`] (or by hand).
    ///
    /// ```
    /// use hyperinterp_report::Report;
    /// let back = Report::from_json(&Report::default().to_json()?)?;
    /// assert_eq!(back, Report::default());
    /// assert!(Report::from_json("{}").is_err());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Report> {
        Ok(serde_json::from_str(text)?)
    }

    /// The rows of the Pareto front; see [`pareto_front_indices`].
    ///
    /// ```
    /// use hyperinterp_report::{BetaRow, Report};
    /// let report = Report { phases_by_beta: vec![BetaRow { nmse: 0.1, kl: 5.0, ..Default::default() }], ..Default::default() };
    /// assert_eq!(report.pareto_front().len(), 1);
    /// ```
    pub fn pareto_front(&self) -> Vec<&BetaRow> {
        pareto_front_indices(&self.phases_by_beta)
            .into_iter()
            .map(|index| &self.phases_by_beta[index])
            .collect()
    }
}

/// Indices of the rows no other row beats in both NMSE and KL (lower is
/// better in each), sorted by increasing KL; rows with a non-finite NMSE or
/// KL are left out.
///
/// ```
/// use hyperinterp_report::{pareto_front_indices, BetaRow};
/// let row = |nmse, kl| BetaRow { nmse, kl, ..Default::default() };
/// // the middle row is dominated by the last (both lower)
/// let rows = [row(0.01, 100.0), row(0.5, 40.0), row(0.3, 30.0)];
/// assert_eq!(pareto_front_indices(&rows), vec![2, 0]);
/// ```
pub fn pareto_front_indices(rows: &[BetaRow]) -> Vec<usize> {
    let finite: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].nmse.is_finite() && rows[i].kl.is_finite())
        .collect();
    let dominates = |a: &BetaRow, b: &BetaRow| {
        a.nmse <= b.nmse && a.kl <= b.kl && (a.nmse < b.nmse || a.kl < b.kl)
    };
    let mut front: Vec<usize> = finite
        .iter()
        .copied()
        .filter(|&i| !finite.iter().any(|&j| dominates(&rows[j], &rows[i])))
        .collect();
    front.sort_by(|&i, &j| rows[i].kl.total_cmp(&rows[j].kl));
    front
}
