//! Phase tables: label fractions and mean order parameters per beta (and
//! training step), the data behind every phase diagram.

use std::path::Path;

use hyperinterp_core::{Beta, CoreError, Result, Sign, export};
use serde::{Deserialize, Serialize};

use crate::algorithm::{Algorithm, Classification};

/// How many networks got each label.
///
/// ```
/// use hyperinterp_phases::{Algorithm, LabelCounts};
/// let mut counts = LabelCounts::default();
/// counts.add(Algorithm::Mixed);
/// assert_eq!(counts.get(Algorithm::Mixed), 1);
/// assert_eq!(counts.total(), 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelCounts {
    /// [`Algorithm::DoubleSided`].
    pub double_sided: u64,
    /// [`Algorithm::Pudding`] with `Sign::Positive`.
    pub pudding_positive: u64,
    /// [`Algorithm::Pudding`] with `Sign::Negative`.
    pub pudding_negative: u64,
    /// [`Algorithm::Convexity`].
    pub convexity: u64,
    /// [`Algorithm::Mixed`].
    pub mixed: u64,
    /// [`Algorithm::Trivial`].
    pub trivial: u64,
}

impl LabelCounts {
    /// The counts in [`Algorithm::ALL`] order.
    ///
    /// ```
    /// use hyperinterp_phases::{Algorithm, LabelCounts};
    /// let mut counts = LabelCounts::default();
    /// counts.add(Algorithm::Trivial);
    /// assert_eq!(counts.to_array(), [0, 0, 0, 0, 0, 1]);
    /// ```
    pub fn to_array(&self) -> [u64; 6] {
        [
            self.double_sided,
            self.pudding_positive,
            self.pudding_negative,
            self.convexity,
            self.mixed,
            self.trivial,
        ]
    }

    /// The count of one label.
    ///
    /// ```
    /// use hyperinterp_phases::{Algorithm, LabelCounts};
    /// let counts = LabelCounts { convexity: 3, ..Default::default() };
    /// assert_eq!(counts.get(Algorithm::Convexity), 3);
    /// ```
    pub fn get(&self, algorithm: Algorithm) -> u64 {
        self.to_array()[algorithm.index()]
    }

    /// Counts one more network with this label.
    ///
    /// ```
    /// use hyperinterp_core::Sign;
    /// use hyperinterp_phases::{Algorithm, LabelCounts};
    /// let mut counts = LabelCounts::default();
    /// counts.add(Algorithm::Pudding(Sign::Negative));
    /// assert_eq!(counts.pudding_negative, 1);
    /// ```
    pub fn add(&mut self, algorithm: Algorithm) {
        let slot = match algorithm {
            Algorithm::DoubleSided => &mut self.double_sided,
            Algorithm::Pudding(Sign::Positive) => &mut self.pudding_positive,
            Algorithm::Pudding(Sign::Negative) => &mut self.pudding_negative,
            Algorithm::Convexity => &mut self.convexity,
            Algorithm::Mixed => &mut self.mixed,
            Algorithm::Trivial => &mut self.trivial,
        };
        *slot += 1;
    }

    /// Sum over labels.
    ///
    /// ```
    /// let counts = hyperinterp_phases::LabelCounts { mixed: 2, trivial: 1, ..Default::default() };
    /// assert_eq!(counts.total(), 3);
    /// ```
    pub fn total(&self) -> u64 {
        self.to_array().iter().sum()
    }

    /// The most frequent label and its share of the total (the first in
    /// [`Algorithm::ALL`] order on a tie); `None` when nothing was counted.
    ///
    /// ```
    /// use hyperinterp_phases::{Algorithm, LabelCounts};
    /// let counts = LabelCounts { convexity: 3, trivial: 1, ..Default::default() };
    /// assert_eq!(counts.majority(), Some((Algorithm::Convexity, 0.75)));
    /// assert_eq!(LabelCounts::default().majority(), None);
    /// ```
    pub fn majority(&self) -> Option<(Algorithm, f64)> {
        let total = self.total();
        let mut best: Option<(Algorithm, u64)> = None;
        for algorithm in Algorithm::ALL {
            let count = self.get(algorithm);
            if count > 0 && best.is_none_or(|(_, top)| count > top) {
                best = Some((algorithm, count));
            }
        }
        best.map(|(algorithm, count)| (algorithm, count as f64 / total as f64))
    }
}

/// The fraction of networks with each label (they sum to 1); the JSON keys
/// are the [`Algorithm::name`]s.
///
/// ```
/// use hyperinterp_phases::{Algorithm, LabelCounts, LabelFractions};
/// let mut counts = LabelCounts::default();
/// counts.add(Algorithm::Convexity);
/// counts.add(Algorithm::Trivial);
/// let fractions = LabelFractions::from_counts(&counts);
/// assert_eq!(fractions.get(Algorithm::Convexity), 0.5);
/// let json = serde_json::to_string(&fractions)?;
/// assert!(json.starts_with(r#"{"double_sided":0.0,"pudding_positive":0.0"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelFractions {
    /// [`Algorithm::DoubleSided`].
    pub double_sided: f64,
    /// [`Algorithm::Pudding`] with `Sign::Positive`.
    pub pudding_positive: f64,
    /// [`Algorithm::Pudding`] with `Sign::Negative`.
    pub pudding_negative: f64,
    /// [`Algorithm::Convexity`].
    pub convexity: f64,
    /// [`Algorithm::Mixed`].
    pub mixed: f64,
    /// [`Algorithm::Trivial`].
    pub trivial: f64,
}

impl LabelFractions {
    /// Fractions from counts (all 0 for no networks).
    ///
    /// ```
    /// use hyperinterp_phases::{LabelCounts, LabelFractions};
    /// let counts = LabelCounts { mixed: 3, trivial: 1, ..Default::default() };
    /// assert_eq!(LabelFractions::from_counts(&counts).mixed, 0.75);
    /// assert_eq!(LabelFractions::from_counts(&LabelCounts::default()).mixed, 0.0);
    /// ```
    pub fn from_counts(counts: &LabelCounts) -> Self {
        let total = counts.total();
        let f = |count: u64| {
            if total == 0 {
                0.0
            } else {
                count as f64 / total as f64
            }
        };
        LabelFractions {
            double_sided: f(counts.double_sided),
            pudding_positive: f(counts.pudding_positive),
            pudding_negative: f(counts.pudding_negative),
            convexity: f(counts.convexity),
            mixed: f(counts.mixed),
            trivial: f(counts.trivial),
        }
    }

    /// The fractions in [`Algorithm::ALL`] order.
    ///
    /// ```
    /// let fractions = hyperinterp_phases::LabelFractions { double_sided: 1.0, ..Default::default() };
    /// assert_eq!(fractions.to_array()[0], 1.0);
    /// ```
    pub fn to_array(&self) -> [f64; 6] {
        [
            self.double_sided,
            self.pudding_positive,
            self.pudding_negative,
            self.convexity,
            self.mixed,
            self.trivial,
        ]
    }

    /// The fraction of one label.
    ///
    /// ```
    /// use hyperinterp_phases::{Algorithm, LabelFractions};
    /// let fractions = LabelFractions { trivial: 0.25, ..Default::default() };
    /// assert_eq!(fractions.get(Algorithm::Trivial), 0.25);
    /// ```
    pub fn get(&self, algorithm: Algorithm) -> f64 {
        self.to_array()[algorithm.index()]
    }
}

/// One cell of a phase diagram: the networks recorded at one beta (and
/// training step).
///
/// ```
/// use hyperinterp_core::Beta;
/// use hyperinterp_phases::{classify, PhaseTable};
/// let mut table = PhaseTable::new();
/// let net = hyperinterp_l1::double_sided(2, 4, 20.0)?;
/// table.record(Beta::new(1e-3)?, Some(500), &classify(&net, 0.01)?);
/// let row = &table.rows()[0];
/// assert_eq!((row.count, row.step), (1, Some(500)));
/// assert_eq!(row.fractions.double_sided, 1.0);
/// assert!((row.mean_nmse - 0.01).abs() < 1e-12);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseRow {
    /// The complexity price the networks were generated at.
    pub beta: Beta,
    /// The training step, if the table is over training time (`null` otherwise).
    pub step: Option<u64>,
    /// Number of networks recorded.
    pub count: u64,
    /// Networks per label.
    pub counts: LabelCounts,
    /// Fraction per label (`counts / count`).
    pub fractions: LabelFractions,
    /// Mean locality L.
    pub mean_locality: f64,
    /// Mean double-sidedness D.
    pub mean_double_sidedness: f64,
    /// Mean pudding slope P.
    pub mean_pudding_slope: f64,
    /// Mean convex share K.
    pub mean_convex_share: f64,
    /// Mean NMSE.
    pub mean_nmse: f64,
}

impl PhaseRow {
    fn empty(beta: Beta, step: Option<u64>) -> Self {
        PhaseRow {
            beta,
            step,
            count: 0,
            counts: LabelCounts::default(),
            fractions: LabelFractions::default(),
            mean_locality: 0.0,
            mean_double_sidedness: 0.0,
            mean_pudding_slope: 0.0,
            mean_convex_share: 0.0,
            mean_nmse: 0.0,
        }
    }

    fn record(&mut self, classification: &Classification) {
        self.count += 1;
        self.counts.add(classification.algorithm);
        self.fractions = LabelFractions::from_counts(&self.counts);
        let order = &classification.order_parameters;
        let count = self.count as f64;
        // Running means: exact enough and no sums that grow without bound.
        for (mean, value) in [
            (&mut self.mean_locality, order.locality),
            (&mut self.mean_double_sidedness, order.double_sidedness),
            (&mut self.mean_pudding_slope, order.pudding_slope),
            (&mut self.mean_convex_share, order.convex_share),
            (&mut self.mean_nmse, classification.nmse),
        ] {
            *mean += (value - *mean) / count;
        }
    }

    fn key(&self) -> (Option<u64>, f64) {
        (self.step, self.beta.value())
    }
}

/// Label fractions and mean order parameters keyed by beta and training
/// step, sorted by (step, beta); serialisable to JSON and CSV.
///
/// JSON: `{"format": "hyperinterp-phases", "version": 1, "rows": [{"beta",
/// "step", "count", "counts": {..six labels..}, "fractions": {..six labels..},
/// "mean_locality", "mean_double_sidedness", "mean_pudding_slope",
/// "mean_convex_share", "mean_nmse"}]}`.
///
/// ```
/// use hyperinterp_core::Beta;
/// use hyperinterp_phases::{classify, Algorithm, PhaseTable};
/// let mut table = PhaseTable::new();
/// let exact = hyperinterp_l1::double_sided(4, 8, 20.0)?;
/// let rough = hyperinterp_l1::convexity(4, 12, &Default::default())?;
/// table.record(Beta::new(1e-4)?, None, &classify(&exact, 0.001)?);
/// table.record(Beta::new(1e-2)?, None, &classify(&rough, 0.5)?);
/// table.record(Beta::new(1e-2)?, None, &classify(&rough, 0.95)?);
/// let high = table.row(Beta::new(1e-2)?, None).unwrap();
/// assert_eq!(high.fractions.get(Algorithm::Convexity), 0.5);
/// let back = PhaseTable::from_json_str(&table.to_json_string()?)?;
/// assert_eq!(back.rows().len(), 2);
/// assert_eq!(back.rows()[1].counts, high.counts);
/// assert!(table.to_csv_string().starts_with("beta,step,count,double_sided,"));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PhaseTable {
    rows: Vec<PhaseRow>,
}

/// The `format` tag of a phase table's JSON.
///
/// ```
/// let json = hyperinterp_phases::PhaseTable::new().to_json_string()?;
/// assert!(json.contains(hyperinterp_phases::PHASE_TABLE_FORMAT));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub const PHASE_TABLE_FORMAT: &str = "hyperinterp-phases";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseTableDocument {
    format: String,
    version: u32,
    rows: Vec<PhaseRow>,
}

impl PhaseTable {
    /// An empty table.
    ///
    /// ```
    /// assert!(hyperinterp_phases::PhaseTable::new().rows().is_empty());
    /// ```
    pub fn new() -> Self {
        PhaseTable::default()
    }

    /// Records one classified network at `beta` (and `step`).
    ///
    /// ```
    /// use hyperinterp_core::Beta;
    /// use hyperinterp_phases::{classify, PhaseTable};
    /// let result = classify(&hyperinterp_l1::double_sided(2, 4, 20.0)?, 0.01)?;
    /// let mut table = PhaseTable::new();
    /// table.record(Beta::new(0.1)?, None, &result);
    /// table.record(Beta::new(0.1)?, None, &result);
    /// table.record(Beta::new(0.01)?, None, &result);
    /// assert_eq!(table.rows().len(), 2);
    /// assert_eq!(table.rows()[0].beta.value(), 0.01); // sorted by beta
    /// assert_eq!(table.rows()[1].count, 2);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn record(&mut self, beta: Beta, step: Option<u64>, classification: &Classification) {
        let key = (step, beta.value());
        let position = self
            .rows
            .partition_point(|row| compare(row.key(), key).is_lt());
        if self
            .rows
            .get(position)
            .is_none_or(|row| compare(row.key(), key).is_ne())
        {
            self.rows.insert(position, PhaseRow::empty(beta, step));
        }
        self.rows[position].record(classification);
    }

    /// Records many networks at one beta (and step).
    ///
    /// ```
    /// use hyperinterp_core::Beta;
    /// use hyperinterp_phases::{Classifier, PhaseTable};
    /// let nets = vec![hyperinterp_l1::double_sided(2, 4, 20.0)?; 3];
    /// let labels = Classifier::default().classify_many(&nets, &[0.01; 3])?;
    /// let mut table = PhaseTable::new();
    /// table.record_all(Beta::new(0.1)?, None, &labels);
    /// assert_eq!(table.rows()[0].count, 3);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn record_all(
        &mut self,
        beta: Beta,
        step: Option<u64>,
        classifications: &[Classification],
    ) {
        for classification in classifications {
            self.record(beta, step, classification);
        }
    }

    /// The rows, sorted by step (none first) and then beta.
    ///
    /// ```
    /// use hyperinterp_core::Beta;
    /// use hyperinterp_phases::{classify, PhaseTable};
    /// let result = classify(&hyperinterp_l1::double_sided(2, 4, 20.0)?, 0.01)?;
    /// let mut table = PhaseTable::new();
    /// table.record(Beta::new(0.1)?, Some(20), &result);
    /// table.record(Beta::new(0.1)?, Some(10), &result);
    /// let steps: Vec<Option<u64>> = table.rows().iter().map(|row| row.step).collect();
    /// assert_eq!(steps, [Some(10), Some(20)]);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn rows(&self) -> &[PhaseRow] {
        &self.rows
    }

    /// The row at exactly this beta and step.
    ///
    /// ```
    /// use hyperinterp_core::Beta;
    /// use hyperinterp_phases::{classify, PhaseTable};
    /// let result = classify(&hyperinterp_l1::double_sided(2, 4, 20.0)?, 0.01)?;
    /// let mut table = PhaseTable::new();
    /// table.record(Beta::new(0.1)?, Some(5), &result);
    /// assert!(table.row(Beta::new(0.1)?, Some(5)).is_some());
    /// assert!(table.row(Beta::new(0.1)?, None).is_none());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn row(&self, beta: Beta, step: Option<u64>) -> Option<&PhaseRow> {
        let key = (step, beta.value());
        self.rows
            .binary_search_by(|row| compare(row.key(), key))
            .ok()
            .map(|k| &self.rows[k])
    }

    /// Checks every row: counts add up, fractions match them, means are
    /// finite and in range, and keys are unique and sorted.
    ///
    /// ```
    /// let mut text = hyperinterp_phases::PhaseTable::new().to_json_string()?;
    /// text = text.replace("\"rows\": []", r#""rows": [{"beta": 0.1, "step": null, "count": 2,
    ///   "counts": {"double_sided": 1, "pudding_positive": 0, "pudding_negative": 0, "convexity": 0, "mixed": 0, "trivial": 0},
    ///   "fractions": {"double_sided": 1.0, "pudding_positive": 0.0, "pudding_negative": 0.0, "convexity": 0.0, "mixed": 0.0, "trivial": 0.0},
    ///   "mean_locality": 1.0, "mean_double_sidedness": 1.0, "mean_pudding_slope": 0.0, "mean_convex_share": 1.0, "mean_nmse": 0.01}]"#);
    /// let error = hyperinterp_phases::PhaseTable::from_json_str(&text).unwrap_err();
    /// assert!(error.to_string().contains("rows[0].counts"), "{error}");
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn validate(&self) -> Result<()> {
        for (k, row) in self.rows.iter().enumerate() {
            if row.counts.total() != row.count {
                return Err(CoreError::config(
                    format!("rows[{k}].counts"),
                    format!(
                        "add up to {}, but count is {}",
                        row.counts.total(),
                        row.count
                    ),
                ));
            }
            let expected = LabelFractions::from_counts(&row.counts).to_array();
            if expected
                .iter()
                .zip(row.fractions.to_array())
                .any(|(e, f)| (e - f).abs() > 1e-9)
            {
                return Err(CoreError::config(
                    format!("rows[{k}].fractions"),
                    "do not match counts / count",
                ));
            }
            for (field, value) in [
                ("mean_locality", row.mean_locality),
                ("mean_double_sidedness", row.mean_double_sidedness),
                ("mean_pudding_slope", row.mean_pudding_slope),
                ("mean_convex_share", row.mean_convex_share),
            ] {
                if !(0.0..=1.0).contains(&value) {
                    return Err(CoreError::config(
                        format!("rows[{k}].{field}"),
                        format!("must lie in [0, 1], got {value}"),
                    ));
                }
            }
            if !(row.mean_nmse.is_finite() && row.mean_nmse >= 0.0) {
                return Err(CoreError::config(
                    format!("rows[{k}].mean_nmse"),
                    format!("must be finite and >= 0, got {}", row.mean_nmse),
                ));
            }
            if k > 0 && compare(self.rows[k - 1].key(), row.key()).is_ge() {
                return Err(CoreError::config(
                    format!("rows[{k}]"),
                    "rows must be unique and sorted by (step, beta)",
                ));
            }
        }
        Ok(())
    }

    /// The table as pretty-printed JSON.
    ///
    /// ```
    /// let json = hyperinterp_phases::PhaseTable::new().to_json_string()?;
    /// assert!(json.contains(r#""format": "hyperinterp-phases""#));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn to_json_string(&self) -> Result<String> {
        let document = PhaseTableDocument {
            format: PHASE_TABLE_FORMAT.to_string(),
            version: 1,
            rows: self.rows.clone(),
        };
        Ok(serde_json::to_string_pretty(&document)?)
    }

    /// Parses and validates JSON written by [`PhaseTable::to_json_string`].
    ///
    /// ```
    /// use hyperinterp_phases::PhaseTable;
    /// let json = PhaseTable::new().to_json_string()?;
    /// assert_eq!(PhaseTable::from_json_str(&json)?, PhaseTable::new());
    /// assert!(PhaseTable::from_json_str("{\"rows\": []}").is_err()); // no format tag
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn from_json_str(text: &str) -> Result<Self> {
        let document: PhaseTableDocument = serde_json::from_str(text)?;
        if document.format != PHASE_TABLE_FORMAT {
            return Err(CoreError::config(
                "format",
                format!("must be {PHASE_TABLE_FORMAT:?}, got {:?}", document.format),
            ));
        }
        let table = PhaseTable {
            rows: document.rows,
        };
        table.validate()?;
        Ok(table)
    }

    /// The table as CSV: one row per cell, header
    /// `beta,step,count,` + the six label names (fractions) +
    /// `,mean_locality,mean_double_sidedness,mean_pudding_slope,mean_convex_share,mean_nmse`;
    /// `step` is empty when absent.
    ///
    /// ```
    /// use hyperinterp_core::Beta;
    /// use hyperinterp_phases::{classify, PhaseTable};
    /// let mut table = PhaseTable::new();
    /// let net = hyperinterp_l1::double_sided(2, 4, 20.0)?;
    /// table.record(Beta::new(0.5)?, None, &classify(&net, 0.25)?);
    /// let csv = table.to_csv_string();
    /// let line = csv.lines().nth(1).unwrap();
    /// assert!(line.starts_with("0.5,,1,1,0,0,0,0,0,"), "{line}");
    /// assert!(line.ends_with(",0.25"), "{line}");
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn to_csv_string(&self) -> String {
        let mut csv = String::from("beta,step,count");
        for algorithm in Algorithm::ALL {
            csv.push(',');
            csv.push_str(algorithm.name());
        }
        csv.push_str(
            ",mean_locality,mean_double_sidedness,mean_pudding_slope,mean_convex_share,mean_nmse\n",
        );
        for row in &self.rows {
            let step = row.step.map(|s| s.to_string()).unwrap_or_default();
            csv.push_str(&format!("{},{step},{}", row.beta.value(), row.count));
            for fraction in row.fractions.to_array() {
                csv.push_str(&format!(",{fraction}"));
            }
            csv.push_str(&format!(
                ",{},{},{},{},{}\n",
                row.mean_locality,
                row.mean_double_sidedness,
                row.mean_pudding_slope,
                row.mean_convex_share,
                row.mean_nmse
            ));
        }
        csv
    }

    /// Writes [`PhaseTable::to_json_string`] to `path` atomically.
    ///
    /// ```
    /// use hyperinterp_phases::PhaseTable;
    /// let path = std::env::temp_dir().join("hyperinterp-phases-doc-save.json");
    /// PhaseTable::new().save_json(&path)?;
    /// let text = std::fs::read_to_string(&path).unwrap();
    /// assert_eq!(PhaseTable::from_json_str(&text)?, PhaseTable::new());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn save_json(&self, path: &Path) -> Result<()> {
        export::write_atomic(path, self.to_json_string()?.as_bytes())
    }

    /// Writes [`PhaseTable::to_csv_string`] to `path` atomically.
    ///
    /// ```
    /// use hyperinterp_phases::PhaseTable;
    /// let path = std::env::temp_dir().join("hyperinterp-phases-doc-save.csv");
    /// PhaseTable::new().save_csv(&path)?;
    /// assert!(std::fs::read_to_string(&path).unwrap().starts_with("beta,step,count,"));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn save_csv(&self, path: &Path) -> Result<()> {
        export::write_atomic(path, self.to_csv_string().as_bytes())
    }
}

/// Orders keys by step (none first), then beta.
fn compare(a: (Option<u64>, f64), b: (Option<u64>, f64)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
}
